import Dispatch
import Foundation
import GRDB
import Testing
@testable import GHLStore

/// The group commit of sync pages: pages sent while the writer is busy share
/// its next transaction, each whole or absent on its own.
@Suite struct PageCommitterTests {
    @Test func aFailingPageInAGroupRollsBackAloneAndTheOthersCommitWithTheirCursorsAndJobs() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a"), b = try await db.addSource("b")
        let leaseA = SourceLease(sourceId: a, owner: "elsewhere:1:a"), leaseB = SourceLease(sourceId: b, owner: "elsewhere:1:b")
        #expect(try await db.store.acquire(leaseA) == nil)
        #expect(try await db.store.acquire(leaseB) == nil)
        func job(_ source: String, _ entity: Entity) async throws -> Int64 {
            try await db.store.startSyncJob(sourceId: source, entity: entity, mode: .full, runId: "run").id
        }
        let contactsA = try await job(a, .contacts), contactsB = try await job(b, .contacts)
        let ordersA = try await job(a, .orders), ordersB = try await job(b, .orders)
        func page(_ source: String, _ entity: Entity, _ records: [EntityRecord], cursor: String, job: Int64,
                  lease: SourceLease, rowsNew: Bool = false) -> Store.SyncPage {
            Store.SyncPage(entity: entity, sourceId: source, records: records, outOfScope: [], seen: nil, cursor: cursor, job: job,
                           progress: SyncJobProgress(records: records.count, pages: 1, requests: 1), lease: lease, rowsNew: rowsNew)
        }
        let store = db.store
        let counter = try await CommitCounter(store)
        let hold = await WriterHold(store)
        let firstPage = page(a, .contacts, [record("a1", ["email": "a1@x.test"]), record("a2", [:])], cursor: "contacts a 1",
                             job: contactsA, lease: leaseA)
        let first = Task { try await store.commitSyncPage(firstPage) }
        try await store.pages.waitUntil { $0.committing == 1 }
        // Queued behind the first: these four share the next transaction.
        let pages = [
            page(b, .contacts, [record("b1", ["email": "b1@x.test"])], cursor: "contacts b 1", job: contactsB, lease: leaseB),
            // Its first record is written (with its log row, the triggers off) before the second fails.
            page(a, .orders, [record("o1", ["status": "completed"]), record("o2", ["nope": 1])], cursor: "orders a 1",
                 job: ordersA, lease: leaseA, rowsNew: true),
            page("missing", .contacts, [record("m1", [:])], cursor: "contacts missing 1", job: contactsA, lease: leaseA),
            page(b, .orders, [record("bo1", ["status": "completed"])], cursor: "orders b 1", job: ordersB, lease: leaseB),
        ]
        var sent: [Task<Void, any Error>] = []
        for (index, page) in pages.enumerated() {
            sent.append(Task { try await store.commitSyncPage(page) })
            try await store.pages.waitUntil { $0.waiting == index + 1 }
        }
        try await hold.release()

        try await first.value
        try await sent[0].value
        await #expect { try await sent[1].value } throws: { ($0 as? StoreError).map { "\($0)".contains("nope") } ?? false }
        await #expect(throws: StoreError.unknownSource("missing")) { try await sent[2].value }
        try await sent[3].value
        #expect(counter.commits == 2, "the first page alone, then the four queued behind it")

        let rows = try await db.store.pool.base.read { db in
            try Row.fetchAll(db, sql: """
                SELECT source_id, ghl_contact_id AS id FROM ghl_contacts UNION ALL SELECT source_id, ghl_order_id FROM ghl_orders
                """).map { "\($0["source_id"] as String == a ? "a" : "b"):\($0["id"] as String)" }
        }
        #expect(rows.sorted() == ["a:a1", "a:a2", "b:b1", "b:bo1"])
        #expect(try await db.store.syncCursor(sourceId: a, entity: .contacts) == "contacts a 1")
        #expect(try await db.store.syncCursor(sourceId: b, entity: .contacts) == "contacts b 1")
        #expect(try await db.store.syncCursor(sourceId: a, entity: .orders) == nil, "the failed page's cursor rolled back with it")
        #expect(try await db.store.syncCursor(sourceId: b, entity: .orders) == "orders b 1")
        let processed = try await db.store.pool.base.read {
            try Dictionary(uniqueKeysWithValues: Row.fetchAll($0, sql: "SELECT id, records_processed FROM ghl_sync_jobs").map {
                ($0["id"] as Int64, $0["records_processed"] as Int)
            })
        }
        #expect(processed == [contactsA: 2, contactsB: 1, ordersA: 0, ordersB: 1])

        // The log follows the commit order, and each topic's seqs stay dense (the jobs' rows are logged too):
        // the failed page's rows went with it.
        let log = try await db.store.pool.base.read {
            try Row.fetchAll($0, sql: "SELECT source_id, seq, tbl, CAST(key AS TEXT) AS key FROM ghl_change_log ORDER BY id")
        }
        for source in [a, b] {
            let seqs = log.filter { $0["source_id"] as String == source }.map { $0["seq"] as Int }
            #expect(seqs == Array(1...seqs.count), "\(seqs)")
        }
        let records = [ChangeLogRows.code(of: Entity.contacts.table), ChangeLogRows.code(of: Entity.orders.table)]
        #expect(log.filter { records.contains($0["tbl"] as Int) }.map { $0["key"] as String } == ["a1", "a2", "b1", "bo1"])
    }

    @Test func aPageCancelledWhileItWaitsIsNotWritten() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        let lease = SourceLease(sourceId: a, owner: "elsewhere:1:a")
        let job = try await db.store.startSyncJob(sourceId: a, entity: .contacts, mode: .full, runId: "run").id
        func page(_ id: String) -> Store.SyncPage {
            Store.SyncPage(entity: .contacts, sourceId: a, records: [record(id, [:])], outOfScope: [], seen: nil, cursor: id, job: job,
                           progress: SyncJobProgress(records: 1, pages: 1, requests: 1), lease: lease)
        }
        let store = db.store
        let hold = await WriterHold(store)
        let firstPage = page("first"), cancelledPage = page("cancelled")
        let first = Task { try await store.commitSyncPage(firstPage) }
        try await store.pages.waitUntil { $0.committing == 1 }
        let cancelled = Task { try await store.commitSyncPage(cancelledPage) }
        try await store.pages.waitUntil { $0.waiting == 1 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(db.store.pages.counts.waiting == 0)
        try await hold.release()
        try await first.value
        #expect(try await db.store.liveRaw(.contacts, sourceId: a).keys.sorted() == ["first"])
        #expect(try await db.store.syncCursor(sourceId: a, entity: .contacts) == "first")
    }
}

/// Keeps the store's writer busy (a write that waits) until `release`.
private final class WriterHold: Sendable {
    private let started = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let task: Task<Void, any Error>

    init(_ store: Store) async {
        task = Task { [started, done] in try await store.pool.write { _ in started.signal(); done.wait() } }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [started] in started.wait(); continuation.resume() }
        }
    }

    func release() async throws {
        done.signal()
        try await task.value
    }
}

/// Counts the writer's transactions that changed something.
private final class CommitCounter: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var changed = false
    private var committed = 0
    var commits: Int { lock.withLock { committed } }

    init(_ store: Store) async throws {
        try await store.pool.writeWithoutTransaction { $0.add(transactionObserver: self, extent: .databaseLifetime) }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
    func databaseDidChange(with event: DatabaseEvent) { lock.withLock { changed = true } }
    func databaseDidCommit(_ db: Database) { lock.withLock { if changed { committed += 1 }; changed = false } }
    func databaseDidRollback(_ db: Database) { lock.withLock { changed = false } }
}

extension PageCommitter {
    /// Waits until the queue's counts satisfy `condition`.
    func waitUntil(_ condition: (Counts) -> Bool) async throws {
        while !condition(counts) { try await Task.sleep(for: .milliseconds(1)) }
    }
}
