import Foundation
import GRDB
import Testing
@testable import GHLStore

/// A page of records expected to be new (`rowsNew`) has its new rows logged
/// in one statement with the triggers off (`ChangeLogBatch`): what it logs
/// must be what the triggers log for the same writes.
@Suite struct ChangeLogBatchTests {
    private static let first = Date(timeIntervalSince1970: 1_714_521_600)
    private static let second = first.addingTimeInterval(60)

    /// Two sources get the same writes: `a` in pages of new rows (the batch
    /// path), `b` one record per call (the triggers). Their logs match change for change.
    @Test func pageLogsWhatTheTriggersLog() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a"), b = try await db.addSource("b")
        let page1 = [record("c1", ["email": "one@x.test"]), record("c2", ["email": "two@x.test"]),
                     record("c2", ["email": "two-again@x.test"]), record("c3", ["email": "three@x.test"]),
                     record("c6", ["email": "six@x.test"])]
        let page2 = [record("c1", ["email": "one-changed@x.test"]), record("c3", ["email": "three@x.test"]),
                     record("c4", ["email": "four@x.test"]), record("c2", ["email": "two-again@x.test"]),
                     record("c5", ["email": "five@x.test"])]
        for (source, paged) in [(a, true), (b, false)] {
            let writes = paged ? [page1] : page1.map { [$0] }
            for records in writes { try await upsertNew(records, source, at: Self.first, db) }
            // A soft delete (revived by page 2) and an out-of-scope mark, both logged by the UPDATE trigger.
            try await db.store.pool.base.write { db in
                try db.execute(sql: "UPDATE ghl_contacts SET deleted_at = ?, deleted_reason = 'deleted' WHERE source_id = ? AND ghl_contact_id = 'c3'",
                               arguments: [Timestamp.string(Self.first), source])
                try Store.markOutOfScope(.contacts, sourceId: source, ids: ["c6"], at: Self.first, in: db)
            }
            for records in paged ? [page2] : page2.map({ [$0] }) {
                try await upsertNew(records, source, at: Self.second, db)
            }
        }

        let paged = try await log(db, a), single = try await log(db, b)
        // The page logs its new rows first, then its updates; the seqs count from the topic's last, in commit order.
        #expect(paged.map(\.change) == [
            "INSERT c1", "INSERT c2", "INSERT c3", "INSERT c6", "UPDATE c2", "DELETE c3", "DELETE c6",
            "INSERT c4", "INSERT c5", "UPDATE c1", "INSERT c3",
        ])
        // (Seq 1 is the source's own INSERT.)
        #expect(paged.map(\.seq) == Array(2...12))
        #expect(single.map(\.seq) == Array(2...12))
        // Each record's changes, with their rows and `old`, are the triggers'.
        for key in ["c1", "c2", "c3", "c4", "c5", "c6"] {
            #expect(paged.filter { $0.key == key }.map(\.record) == single.filter { $0.key == key }.map(\.record), "\(key)")
        }
        let rows = try await db.store.pool.base.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ghl_contacts WHERE source_id = ? AND deleted_at IS NULL", arguments: [a])
        }
        #expect(rows == 5)
    }

    /// A record failing in the middle of a page fails the page; the
    /// connection's triggers are on again for the next write, as after a page
    /// that succeeds: a foreign-style write after either is logged.
    @Test func triggersAreOnAgainAfterAPage() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        await #expect(throws: StoreError.self) {
            try await upsertNew([record("c1", ["email": "one@x.test"]), record("c2", ["no_such_column": "x"]),
                                 record("c3", ["email": "three@x.test"])], source, db)
        }
        try await insertByHand("h1", source, db)
        #expect(try await log(db, source).map(\.change) == ["INSERT h1"])

        try await upsertNew([record("c1", ["email": "one@x.test"]), record("c2", ["email": "two@x.test"])], source, db)
        try await insertByHand("h2", source, db)
        #expect(try await log(db, source).map(\.change) == ["INSERT h1", "INSERT c1", "INSERT c2", "INSERT h2"])
    }

    /// A page's logged INSERTs carry the time of the write, in the format of
    /// the column's default (what the triggers write), not the records' own
    /// time (`at`), like the UPDATE its trigger logs in the same transaction.
    @Test func pageLogsItsInsertsAtTheTimeOfTheWrite() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        // SQLite's 'now' truncates to the millisecond, `Timestamp` rounds.
        let before = Timestamp.string(Date() - 0.001)
        try await db.store.pool.write { db in
            try Store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "1"]), record("c2", ["email": "2"])],
                             at: Self.first, rowsNew: true, in: db)
            try Store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "changed"])], at: Self.first, in: db)
        }
        let after = Timestamp.string()
        let times = try await db.store.pool.base.read { db in
            try Row.fetchAll(db, sql: "SELECT op, ts FROM ghl_change_log WHERE source_id = ? AND tbl = 3 ORDER BY id", arguments: [source])
                .map { "\($0["op"] as String) \($0["ts"] as String)" }
        }
        #expect(times.map { $0.prefix(6) } == ["INSERT", "INSERT", "UPDATE"])
        for time in times.map({ String($0.dropFirst(7)) }) {
            #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(time)")
            #expect(time >= before && time <= after, "\(time) not in \(before) ... \(after)")
        }
    }

    /// A file without the INSERT trigger (the benchmark's capture-off
    /// baseline) gets no log rows from a page either.
    @Test func fileWithoutTheTriggersLogsNothing() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        try await db.store.dropChangeLogTriggers()
        #expect(try await upsertNew([record("c1", ["email": "1"]), record("c2", ["email": "2"])], source, db) == 2)
        #expect(try await log(db, source).isEmpty)
    }

    @discardableResult
    private func upsertNew(_ records: [EntityRecord], _ source: String, at date: Date = Date(), _ db: TestDatabase) async throws -> Int {
        try await db.store.pool.write { try Store.upsert(.contacts, sourceId: source, records: records, at: date, rowsNew: true, in: $0) }
    }

    private func insertByHand(_ id: String, _ source: String, _ db: TestDatabase) async throws {
        try await db.store.pool.base.write { db in
            try db.execute(sql: """
                INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw, created_at, updated_at, synced_at)
                VALUES (?, ?, '{}', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')
                """, arguments: [source, id])
        }
    }

    private struct Logged: Equatable {
        var seq: Int
        var key: String
        var change: String
        /// The change with its row and `old`, the source's id taken out.
        var record: String
    }

    private func log(_ db: TestDatabase, _ source: String) async throws -> [Logged] {
        try await db.store.pool.base.read { db in
            try Row.fetchAll(db, sql: """
                SELECT l.seq, l.op, l.key, l.tbl, c.ghl_contact_id AS rec_id, l.old
                FROM ghl_change_log l LEFT JOIN ghl_contacts c ON c.id = l.rec
                WHERE l.source_id = ? AND l.tbl = 3 ORDER BY l.id
                """, arguments: [source]).map { row in
                let key: String = row["key"], op: String = row["op"]
                let old = (row["old"] as String?)?.replacingOccurrences(of: source, with: "SOURCE") ?? "null"
                return Logged(seq: row["seq"], key: key, change: "\(op) \(key)",
                              record: "\(op) tbl \(row["tbl"] as Int) rec \(row["rec_id"] as String?  ?? "none") old \(old)")
            }
        }
    }
}
