#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// Hands the allocator's free pages back to the system while the server runs.
///
/// glibc keeps what a burst freed (a backlog of frames for a crowd of slow
/// clients, a big sync's pages) in its arenas, in holes between live blocks,
/// so a server's RSS stays at its busiest moment. `malloc_trim` returns every
/// whole free page, wherever it sits; once every `interval` its walk of the
/// free lists (milliseconds) costs nothing worth measuring.
struct MemoryTrimService: Service {
    var interval: Duration = .seconds(10)

    func run() async throws {
        try await cancelWhenGracefulShutdown { [interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                _ = Self.mallocTrim?(0)
            }
        }
    }

    /// glibc's `malloc_trim`, which Swift's Glibc module does not export; nil on other C libraries.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
