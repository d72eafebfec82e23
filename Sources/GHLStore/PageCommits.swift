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
/// blocks), which takes everything queued, writes each page inside its own
/// savepoint (a failing page fails alone, its rows rolled back) and commits
/// once; pages that arrive meanwhile make the next group.
final class PageCommits: Sendable {
    typealias Write = @Sendable (Store.SyncPage, Database) throws -> Void
    private typealias Waiting = (page: Store.SyncPage, continuation: CheckedContinuation<Void, any Error>)

    private struct State {
        var queued: [Waiting] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let thread = DispatchQueue(label: "ghlsync.page-commits")
    private let pool: StorePool
    /// What one page writes, inside the group's transaction.
    private let write: Write

    init(pool: StorePool, write: @escaping Write) {
        self.pool = pool
        self.write = write
    }

    /// Queues `page` and returns once the transaction holding it committed (or its savepoint failed).
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
                let group = state.queued
                state.queued = []
                if group.isEmpty { state.draining = false }
                return group
            }
            guard !group.isEmpty else { return }
            var outcomes = [Result<Void, any Error>](repeating: .success(()), count: group.count)
            do {
                try pool.write { db in
                    for (index, waiting) in group.enumerated() {
                        do {
                            try db.inSavepoint {
                                try write(waiting.page, db)
                                return .commit
                            }
                        } catch {
                            outcomes[index] = .failure(error)
                        }
                    }
                }
            } catch {
                outcomes = Array(repeating: .failure(error), count: group.count)
            }
            for (waiting, outcome) in zip(group, outcomes) { waiting.continuation.resume(with: outcome) }
        }
    }
}
