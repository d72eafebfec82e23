import Foundation
import GRDB
import Testing
@testable import GHLStore

/// The change log's reads (`ChangeLogRows.select`) build each payload once, in
/// the log's own order: the relay reads every logged row, so a sort of the
/// batch's payloads would cost every commit of every writer.
@Suite struct ChangeLogRowsTests {
    /// The relay's read (by row id) and a resume's (by a topic's seqs) walk
    /// an index in their order: no temporary b-tree sorts them.
    @Test func theLogIsReadInItsOrderWithoutASort() async throws {
        let db = try TestDatabase()
        let plans = try await db.store.pool.base.read { db in
            try [(where: "l.id > ?", order: "id", limit: 4096 as Int?),
                 (where: "l.source_id = ? AND l.seq > ? AND l.seq <= ?", order: "seq", limit: nil)].map { read in
                let sql = try ChangeLogRows.select(db, where: read.where, orderBy: read.order, limit: read.limit)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(
                    read.order == "id" ? [0] : ["s", 0, 10] as [any DatabaseValueConvertible])).map { $0["detail"] as String }
            }
        }
        for plan in plans {
            #expect(!plan.isEmpty)
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH l USING") }, "\(plan)")
        }
    }

    /// Each kind of row reads as before: an INSERT its record, an UPDATE the
    /// record and the `old` its trigger stored, a soft delete the row as it
    /// was in the views, a hard delete its keys, in log order.
    @Test func eachKindOfRowReadsWithItsPayload() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let recorder = try await EventRecorder(db.store)
        // Each payload is built when the log is read: read after each write, before the next changes the row.
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "one@x.test"])])
        #expect(await recorder.events.filter { $0.table == "ghl_contacts" }.count == 1)
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "two@x.test"])])
        #expect(await recorder.events.filter { $0.table == "ghl_contacts" }.count == 2)
        try await db.store.pool.base.write { db in
            try db.execute(sql: "UPDATE ghl_contacts SET deleted_at = '2024-01-01T00:00:00.000Z', deleted_reason = 'deleted' WHERE ghl_contact_id = 'c1'")
        }
        // Read before the row goes for good.
        #expect(await recorder.events.filter { $0.table == "ghl_contacts" }.count == 3)
        try await db.store.pool.base.write { db in try db.execute(sql: "DELETE FROM ghl_contacts WHERE ghl_contact_id = 'c1'") }
        let events = await recorder.events.filter { $0.table == "ghl_contacts" }
        #expect(events.map(\.operation) == [.insert, .update, .delete, .delete])
        let seqs = events.compactMap(\.seq)
        #expect(seqs.count == 4 && seqs == seqs.sorted())
        func object(_ text: String?) throws -> [String: Any] {
            let text = try #require(text)
            return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        #expect(events[0].old == nil)
        #expect(try object(events[0].new)["email"] as? String == "one@x.test")
        #expect(try object(events[1].old)["email"] as? String == "one@x.test")
        #expect(try object(events[1].new)["email"] as? String == "two@x.test")
        // The soft delete: the row as the views showed it.
        #expect(events[2].new == nil)
        let softDeleted = try object(events[2].old)
        #expect(softDeleted["email"] as? String == "two@x.test")
        #expect(softDeleted["deleted_at"] is NSNull && softDeleted["deleted_reason"] is NSNull)
        // The hard delete, read after the row was gone: its keys.
        #expect(events[3].new == nil)
        #expect(try object(events[3].old).keys.sorted() == ["id", "source_id"])
        #expect(try object(events[3].old)["id"] as? String == "c1")
        #expect(try object(events[0].new)["raw"] is [String: Any])
    }
}
