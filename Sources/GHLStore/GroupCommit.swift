import GRDB
import Synchronization

/// Writes the pages of every listing of the process in shared transactions.
///
/// A large agency syncs dozens of listings at once, and each used to commit
/// its own pages: a transaction a page, most of a commit's cost paid again
/// for every hundred rows. Here the pages handed in while a transaction runs
/// wait together and go in the next one, up to `maxRecords` rows, so under
/// load a commit carries the pages of many listings, and an idle writer
/// still commits a lone page at once.
///
/// A group that fails is written again page by page, so one page's failure
/// (a source removed while it synced, a constraint) fails its own listing
/// alone. Each page keeps its own cursor, progress and lease renewal, so a
/// run killed at any point still resumes after its last committed page.
final class GroupCommit: Sendable {
    /// Rows a shared transaction takes at most, about one listing's batch of
    /// contacts pages. Measured with `bench agency --size large`: 2,000 was
    /// 3% faster under GHL's limits than a transaction per listing's batch;
    /// 8,000 was 10-15% slower (each commit then took the WAL far past the
    /// checkpointer's threshold) and took 400 MB.
    static let maxRecords = 2_000

    private typealias Waiter = (page: Store.SyncPage, done: CheckedContinuation<Void, any Error>)

    private struct State {
        var queue: [Waiter] = []
        var writing = false
        /// Pages in the transaction being written.
        var writingPages = 0
    }

    private let pool: StorePool
    private let state = Mutex(State())

    init(pool: StorePool) {
        self.pool = pool
    }

    /// Pages waiting for the writer, and pages in the transaction it is writing.
    var pages: (waiting: Int, writing: Int) { state.withLock { ($0.queue.count, $0.writingPages) } }

    /// Returns once `page` is committed, or throws what writing it alone threw.
    func commit(_ page: Store.SyncPage) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let startsWriter = state.withLock { state in
                state.queue.append((page, done))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startsWriter { Task { await writeQueued() } }
        }
    }

    /// Commits the queue, a group at a time, until it is empty.
    private func writeQueued() async {
        while let group = nextGroup() {
            do {
                try await pool.write { db in
                    for waiter in group { try Store.writeSyncPage(waiter.page, in: db) }
                }
                for waiter in group { waiter.done.resume() }
            } catch {
                guard group.count > 1 else {
                    group[0].done.resume(throwing: error)
                    continue
                }
                for waiter in group {
                    do {
                        try await pool.write { db in try Store.writeSyncPage(waiter.page, in: db) }
                        waiter.done.resume()
                    } catch {
                        waiter.done.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// The pages of the next transaction, oldest first: at least one, then as
    /// many as fit in `maxRecords`; nil (and the writer stops) when none wait.
    private func nextGroup() -> [Waiter]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.writing = false
                state.writingPages = 0
                return nil
            }
            var records = 0
            var count = 0
            for waiter in state.queue {
                records += waiter.page.records.count
                if count > 0, records > Self.maxRecords { break }
                count += 1
            }
            let group = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            state.writingPages = count
            return group
        }
    }
}
