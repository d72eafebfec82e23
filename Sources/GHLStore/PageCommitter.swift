import Dispatch
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
    /// Records in one transaction at most. A group's dirty pages stay in the
    /// writer's cache until the commit (`Store`'s `cache_size`): past it SQLite
    /// spills them to the WAL mid-transaction, and the next page writes them
    /// again. Three random indexes put a contact on up to three leaf pages, so
    /// 4,000 records dirty at most about 14,000 pages (56 MiB) with their table
    /// pages, within the 64 MiB cache. It also keeps one transaction (what a
    /// process may add to the WAL past `Checkpointer.hardLimit`) bounded.
    static let maxRecords = 4_000

    /// Seconds the writer stays with the pages at most before other writes
    /// (a run's start or end, a webhook) get their turn: about what one
    /// page's write used to wait behind the others' in GRDB's queue.
    static let holdWriter = 0.5

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

    /// Commits groups until the queue is empty. The writer is kept from one
    /// group to the next while pages are queued, up to `holdWriter` seconds:
    /// handed back after each group, its work moved among libdispatch's
    /// threads (17 threads instead of 11), each with a glibc arena of its own
    /// holding SQLite's freed memory, and peak RSS doubled.
    private func drain() async {
        while let first = take(stopping: true) {
            do {
                try await pool.writeWithoutTransaction { db in
                    var group = first
                    let until = DispatchTime.now().uptimeNanoseconds + UInt64(Self.holdWriter * 1e9)
                    while true {
                        Self.commit(group, in: db)
                        guard DispatchTime.now().uptimeNanoseconds < until, let next = self.take(stopping: false) else { return }
                        group = next
                    }
                }
            } catch {
                // The writer could not be had: `first` was not written.
                for waiting in first { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// The next group: the pages queued first, up to `maxRecords` (at least
    /// one page). Nil when none is queued; `stopping` then ends the drain.
    private func take(stopping: Bool) -> [Waiting]? {
        queue.withLock { queue -> [Waiting]? in
            var count = 0
            var records = 0
            for waiting in queue.waiting {
                records += waiting.page.records.count
                guard count == 0 || records <= Self.maxRecords else { break }
                count += 1
            }
            queue.committing = count
            guard count > 0 else {
                if stopping { queue.draining = false }
                return nil
            }
            defer { queue.waiting.removeFirst(count) }
            return Array(queue.waiting.prefix(count))
        }
    }

    /// Commits a group in one transaction and answers each page's caller.
    private static func commit(_ group: [Waiting], in db: Database) {
        var outcomes: [Result<Void, any Error>] = []
        do {
            try db.inTransaction(.immediate) {
                outcomes = try write(group.map(\.page), in: db)
                return .commit
            }
        } catch {
            outcomes = Array(repeating: .failure(error), count: group.count)
        }
        for (waiting, outcome) in zip(group, outcomes) { waiting.continuation.resume(with: outcome) }
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
