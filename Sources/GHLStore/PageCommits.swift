import Dispatch
import GRDB
import Synchronization

/// Group commit of sync pages: every page that is waiting when the writer
/// gets to it goes into one transaction.
///
/// A sync of many sources has dozens of pollers handing in pages; one
/// transaction each would write the same hot pages (the change log's tail,
/// indexes, the job and lease rows) to the WAL once per page. Here the first
/// page starts a drain on its own thread (never a cooperative one: the write
/// blocks), which takes what is queued (up to `maxGroupRecords`), writes it
/// and commits once; pages that arrive meanwhile make the next group. When the group fails, each of
/// its pages is written again in a transaction of its own, so a failing page
/// fails alone. (Not a savepoint per page: SQLite's in-memory sub-journal made
/// each savepoint cost time in the size of the whole group, and the sync 2.4
/// times the CPU.)
final class PageCommits: Sendable {
    typealias Write = @Sendable (Store.SyncPage, Database) throws -> Void
    private typealias Waiting = (page: Store.SyncPage, continuation: CheckedContinuation<Void, any Error>)

    private struct State {
        var queued: [Waiting] = []
        var draining = false
    }

    /// Records of one group at most (a group takes one page more only while
    /// below it): the pages a group holds are out of the pollers' shared
    /// budget while it commits, so a group of every page in flight would leave
    /// none to fetch and map meanwhile. About 16 pages of 500 contacts.
    static let maxGroupRecords = 8_000

    private let state = Mutex(State())
    private let thread = DispatchQueue(label: "ghlsync.page-commits")
    private let pool: DatabasePool
    /// What one page writes, inside the group's transaction.
    private let write: Write

    init(pool: DatabasePool, write: @escaping Write) {
        self.pool = pool
        self.write = write
    }

    /// Queues `page` and returns once a transaction holding it committed (or it failed).
    func commit(_ page: Store.SyncPage) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let starts = state.withLock { state -> Bool in
                state.queued.append((page, continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if starts { thread.async { self.drain() } }
        }
    }

    /// Commits groups until nothing is queued.
    private func drain() {
        while true {
            let group = state.withLock { state -> [Waiting] in
                var records = 0
                let taken = state.queued.prefix { waiting in
                    defer { records += waiting.page.records.count }
                    return records < Self.maxGroupRecords
                }
                let group = Array(taken)
                state.queued.removeFirst(group.count)
                if group.isEmpty { state.draining = false }
                return group
            }
            guard !group.isEmpty else { return }
            var outcomes = [Result<Void, any Error>](repeating: .success(()), count: group.count)
            do {
                try pool.write { db in
                    for waiting in group { try write(waiting.page, db) }
                }
            } catch {
                // The group rolled back: each page again in a transaction of its own, so only the failing one fails.
                outcomes = group.count == 1 ? [.failure(error)] : group.map { waiting in
                    Result { try pool.write { db in try write(waiting.page, db) } }
                }
            }
            for (waiting, outcome) in zip(group, outcomes) { waiting.continuation.resume(with: outcome) }
        }
    }
}
