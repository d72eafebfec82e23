import GRDB
import Synchronization

/// Group commit of sync pages: every page that is ready, from any source or
/// entity, goes into the writer's next transaction, one savepoint per page.
///
/// GHL ids are random, so a page of 100 contacts dirties about 300 leaf pages
/// of the contacts' indexes, each written to the WAL at commit and again by
/// the next transaction: a transaction per page wrote about 13 KB of WAL per
/// record. Pages that wait for the writer together (a whole agency's pollers)
/// now share one transaction, and a leaf page they share reaches the WAL once.
///
/// Each page still stands alone: a page that fails rolls back its savepoint
/// only and its caller gets its own error while the others commit; a page
/// commits together with its cursor, job progress and lease heartbeat, so a
/// crash leaves every page whole or absent. Pages of one poller commit in the
/// order it sent them (it awaits each), and the change log's rows follow the
/// commit order. A caller cancelled while its page waits takes it back
/// (`CancellationError`); a page already in a transaction commits.
///
/// The first page to find the writer idle starts a drain, which takes what is
/// queued (up to `maxRecords`) into one transaction, then what queued
/// meanwhile, until nothing is left.
final class PageCommitter: Sendable {
    /// Records in one transaction at most: what bounds the WAL one
    /// transaction adds past `Checkpointer.hardLimit`, and the wait of the
    /// pages queued behind it. Three random indexes put a contact on up to
    /// three leaf pages, so 4,000 records dirty up to about 14,000 pages, more
    /// than the writer's 32 MiB cache (`Store`): SQLite spills the excess to
    /// the WAL before the commit. In SQLite alone (600,000 contacts from
    /// Python, its overhead included) that cost 33.5 µs a row against 31.1
    /// with a 64 MiB cache, and 43.2 with a transaction per 100 records; the
    /// larger cache was not worth its memory.
    static let maxRecords = 4_000

    private struct Waiting: Sendable {
        var id: UInt64
        var page: Store.SyncPage
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        /// Pages of the transaction being written.
        var committing = 0
        var draining = false
        var nextId: UInt64 = 0
    }

    /// Pages waiting for the writer, and pages in the transaction it writes.
    struct Counts: Sendable {
        var waiting: Int
        var committing: Int
    }

    private let pool: StorePool
    private let queue = Mutex(Queue())

    init(pool: StorePool) {
        self.pool = pool
    }

    /// Where the queue stands now (the tests wait for pages to queue behind a busy writer).
    var counts: Counts {
        queue.withLock { Counts(waiting: $0.waiting.count, committing: $0.committing) }
    }

    /// Commits `page` in the writer's next transaction, and returns once it is
    /// committed or throws its own error.
    func commit(_ page: Store.SyncPage) async throws {
        let id = queue.withLock { queue in
            queue.nextId += 1
            return queue.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancelled before it could queue: the handler may already have run and found nothing.
                guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
                let starts = queue.withLock { queue in
                    queue.waiting.append(Waiting(id: id, page: page, continuation: continuation))
                    defer { queue.draining = true }
                    return !queue.draining
                }
                // A task of its own: no caller's cancellation stops the pages of the others.
                if starts { Task.detached { await self.drain() } }
            }
        } onCancel: {
            let taken = queue.withLock { queue -> Waiting? in
                guard let index = queue.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return queue.waiting.remove(at: index)
            }
            taken?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Commits groups until the queue is empty.
    private func drain() async {
        while true {
            var group = queue.withLock { queue -> [Waiting] in
                var count = 0
                var records = 0
                for waiting in queue.waiting {
                    records += waiting.page.records.count
                    guard count == 0 || records <= Self.maxRecords else { break }
                    count += 1
                }
                if count == 0 { queue.draining = false }
                queue.committing = count
                defer { queue.waiting.removeFirst(count) }
                return Array(queue.waiting.prefix(count))
            }
            if group.isEmpty { return }
            let outcomes: [Result<Void, any Error>]
            do {
                outcomes = try await pool.write { [pages = group.map(\.page)] db in try Self.write(pages, in: db) }
            } catch {
                outcomes = Array(repeating: .failure(error), count: group.count)
            }
            // The pages' memory is freed by their callers, not here: glibc kept
            // the pollers' pages freed on this task's thread in arenas it did not
            // give back (peak RSS about twice as high).
            let continuations = group.map(\.continuation)
            group = []
            for (continuation, outcome) in zip(continuations, outcomes) { continuation.resume(with: outcome) }
        }
    }

    /// Writes each page in a savepoint of the transaction: a failing one is
    /// rolled back alone. An error that ended the whole transaction (SQLite
    /// rolls back by itself on a full disk or an I/O error) fails the group.
    private static func write(_ pages: [Store.SyncPage], in db: Database) throws -> [Result<Void, any Error>] {
        try pages.map { page in
            do {
                try db.inSavepoint {
                    try Store.writeSyncPage(page, in: db)
                    return .commit
                }
                return .success(())
            } catch {
                guard db.isInsideTransaction else { throw error }
                return .failure(error)
            }
        }
    }
}
