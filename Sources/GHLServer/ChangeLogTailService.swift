import GHLStore
import Logging
import ServiceLifecycle

/// Tails the file's change log while the server runs: what other processes
/// (a CLI sync, another `serve`, the sqlite3 CLI) commit reaches the topic bus
/// within one `interval`; this process's own commits reach it at once, from
/// the writer (`Store.onCommit`). Every `pruneEvery` it prunes the log to its
/// bounds, in small batches.
struct ChangeLogTailService: Service {
    let store: Store
    var interval: Duration = .milliseconds(20)
    var pruneEvery: Duration = .seconds(10)
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown { [store, interval, pruneEvery, logger] in
            let clock = ContinuousClock()
            var nextPrune = clock.now
            while !Task.isCancelled {
                do {
                    try await store.pollChanges()
                    if clock.now >= nextPrune {
                        nextPrune = clock.now + pruneEvery
                        try await store.pruneChangeLog()
                    }
                } catch is CancellationError {
                    break  // shutting down: the store's async reads end with the task
                } catch {
                    logger.error("cannot read the change log: \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
