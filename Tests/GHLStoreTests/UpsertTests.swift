import Foundation
import GRDB
import Testing
@testable import GHLStore

@Suite struct UpsertTests {
    @Test func samePageTwiceWritesNothingTheSecondTime() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let events = try await EventRecorder(db.store)
        let page = (1...50).map { record("c\($0)", updated: "2024-05-01T00:00:00.000Z", ["email": "c\($0)@example.com", "first_name": "Zoë \($0)"]) }

        #expect(try await db.store.upsert(.contacts, sourceId: source, records: page) == 50)
        let firstWrite = try await db.store.pool.base.read { try String.fetchAll($0, sql: "SELECT updated_at FROM ghl_contacts ORDER BY id") }
        await #expect(events.events.filter { $0.table == "ghl_contacts" }.count == 50)
        events.clear()

        #expect(try await db.store.upsert(.contacts, sourceId: source, records: page, at: Date().addingTimeInterval(60)) == 0)
        let secondWrite = try await db.store.pool.base.read { try String.fetchAll($0, sql: "SELECT updated_at FROM ghl_contacts ORDER BY id") }
        #expect(secondWrite == firstWrite)
        await #expect(events.events.isEmpty)
    }

    @Test func changedRecordIsUpdatedAndBroadcastWithOldAndNew() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let events = try await EventRecorder(db.store)
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "old@example.com"]), record("c2", ["email": "same@example.com"])])
        let inserted = try #require(await events.events.first { $0.operation == .insert && $0.new?.contains(#""id":"c1""#) == true }?.new)
        events.clear()

        let written = try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "new@example.com"]), record("c2", ["email": "same@example.com"])])
        #expect(written == 1)
        let changes = await events.events
        #expect(changes.count == 1)
        let change = try #require(changes.first)
        #expect(change.operation == .update)
        #expect(change.sourceId == source)
        #expect(change.topic == "ghl:\(source)")
        // `old` is the whole record before the update (the trigger stores it), as the seed's trigger sends OLD.
        #expect(try jsonObject(change.old) == jsonObject(inserted))
        #expect(try jsonObject(change.old)["email"] as? String == "old@example.com")
        #expect(change.new?.contains("new@example.com") == true)
        let email = try await db.store.pool.base.read { try String.fetchOne($0, sql: "SELECT email FROM ghl_contacts WHERE ghl_contact_id = 'c1'") }
        #expect(email == "new@example.com")
    }

    @Test func softDeletedRecordRevivesWhenSeenAgain() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let contact = record("c1", ["email": "x@example.com"])
        try await db.store.upsert(.contacts, sourceId: source, records: [contact])
        try await db.store.pool.base.write { try $0.execute(sql: "UPDATE ghl_contacts SET deleted_at = '2024-01-01T00:00:00.000Z'") }

        #expect(try await db.store.upsert(.contacts, sourceId: source, records: [contact]) == 1)
        let live = try await db.store.pool.base.read { try Bool.fetchOne($0, sql: "SELECT deleted_at IS NULL FROM ghl_contacts") }
        #expect(live == true)
    }

    @Test func sameIdInTwoSourcesStaysTwoRows() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a"), b = try await db.addSource("b")
        try await db.store.upsert(.orders, sourceId: a, records: [record("o1", ["amount": 10.0])])
        try await db.store.upsert(.orders, sourceId: b, records: [record("o1", ["amount": 20.0])])
        let amounts = try await db.store.pool.base.read { try Double.fetchAll($0, sql: "SELECT amount FROM ghl_orders ORDER BY amount") }
        #expect(amounts == [10, 20])
    }

    /// The writer binds values to SQLite itself: each kind keeps its type,
    /// an empty text stays '' (not NULL), and a record given in column order
    /// is stored as the same record given by name.
    @Test func everyKindOfValueIsStoredAsGivenInOrderOrByName() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let named: [String: StoreValue] = ["first_name": "", "last_name": "Zoë 👩‍💻 O'Brien", "email": .null, "dnd": 1]
        let ordered = Entity.contacts.columns.map { named[$0.name] ?? .null }
        try await db.store.upsert(.contacts, sourceId: source, records: [
            EntityRecord(ghlId: "by-name", values: named, raw: #"{"id":"by-name"}"#, ghlCreatedAt: nil, ghlUpdatedAt: "2024-05-01T00:00:00.000Z"),
            EntityRecord(.contacts, ghlId: "in-order", orderedValues: ordered, raw: #"{"id":"in-order"}"#, ghlCreatedAt: nil,
                         ghlUpdatedAt: "2024-05-01T00:00:00.000Z"),
        ])
        try await db.store.upsert(.orders, sourceId: source, records: [record("o1", ["amount": 12.5, "currency": "EUR"])])
        let rows: [[String?]] = try await db.store.pool.base.read { conn in
            try Row.fetchAll(conn, sql: """
                SELECT ghl_contact_id, typeof(first_name), first_name, last_name, typeof(email), typeof(dnd), CAST(dnd AS TEXT),
                       typeof(ghl_created_at), ghl_updated_at, raw, source_id
                FROM ghl_contacts ORDER BY ghl_contact_id
                """).map { row in row.databaseValues.map { String.fromDatabaseValue($0) } }
        }
        #expect(rows.map { $0[0] } == ["by-name", "in-order"])
        for row in rows {
            let id = try #require(row[0])
            let expected: [String?] = ["text", "", "Zoë 👩‍💻 O'Brien", "null", "integer", "1", "null", "2024-05-01T00:00:00.000Z",
                                       #"{"id":"\#(id)"}"#, source]
            #expect(Array(row.dropFirst()) == expected)
        }
        let order: [String?] = try await db.store.pool.base.read { conn in
            try Row.fetchAll(conn, sql: "SELECT typeof(amount), CAST(amount AS TEXT), currency FROM ghl_orders")
                .flatMap { row in row.databaseValues.map { String.fromDatabaseValue($0) } }
        }
        #expect(order == ["real", "12.5", "EUR"])
    }

    @Test func unknownSourceIsAClearErrorAndWritesNothing() async throws {
        let db = try TestDatabase()
        await #expect(throws: StoreError.unknownSource("nope")) {
            try await db.store.upsert(.contacts, sourceId: "nope", records: [record("c1", ["email": "x"])])
        }
        #expect(try await db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts") } == 0)
    }

    @Test func rolledBackTransactionPublishesNothing() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let events = try await EventRecorder(db.store)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.store.pool.base.write { conn throws in
                try Store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "x"])], in: conn)
                throw Abort()
            }
        }
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c2", ["email": "y"])])
        await #expect(events.events.map { $0.new?.contains("\"c2\"") } == [true])
    }

    @Test func deleteEventCarriesSourceAndKey() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        try await db.store.upsert(.reviews, sourceId: source, records: [record("r1", ["rating": 4.0])])
        let events = try await EventRecorder(db.store)
        try await db.store.pool.base.write { try $0.execute(sql: "DELETE FROM ghl_reviews") }
        let change = try await #require(events.events.first)
        #expect(change.operation == .delete)
        #expect(change.sourceId == source)
        #expect(change.new == nil)
        // The row is gone: its keys stand for it.
        #expect(change.old == #"{"id":"r1","source_id":"\#(source)"}"#)
    }

    @Test func eventsOfOneCommitArriveInWriteOrder() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let events = try await EventRecorder(db.store)
        let ids = (1...20).map { "p\($0)" }
        try await db.store.upsert(.payments, sourceId: source, records: ids.map { record($0, ["amount": 1.0]) })
        let seen = await events.events.compactMap { event in ids.first { event.new?.contains("\"ghl_payment_id\":\"\($0)\"") == true } }
        #expect(seen == ids)
    }
}

@Suite struct CaptureAndCheckpointTests {
    /// The file logs every write, listened to or not (its triggers are in
    /// the file, not TEMP); a handler gets every change logged after it registered.
    @Test func theFileLogsEveryWriteAndAHandlerGetsWhatFollows() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let logged = { try db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_change_log WHERE tbl = 3") ?? 0 } }
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "a@example.com"])])
        #expect(try logged() == 1)

        let events = try await EventRecorder(db.store)
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "b@example.com"]), record("c2", ["email": "c@example.com"])])
        await #expect(events.events.map(\.operation) == [.update, .insert])
        let second = try await EventRecorder(db.store)
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c3", ["email": "d@example.com"])])
        let (firstCount, secondCount) = (await events.events.count, await second.events.count)
        #expect(firstCount == 3 && secondCount == 1)
    }

    /// The log is pruned to its bytes bound (its rows and index; payloads are not stored).
    @Test func pruningKeepsTheLogWithinItsBytes() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        try await db.store.upsert(.contacts, sourceId: source, records: (0..<500).map { record("c\($0)", ["email": "\($0)@example.com"]) })
        try await db.store.setChangeLogBounds(ChangeLogBounds(maxBytes: 10_000))
        #expect(try await db.store.changeLogStatus().bytes > 10_000)
        try await db.store.pruneChangeLog(batch: 100)
        let status = try await db.store.changeLogStatus()
        #expect(status.rows > 10 && status.rows < 500)
        #expect(status.bytes <= 10_000)
    }

    /// Seqs are dense per source and survive pruning: the log keeps each
    /// source's newest row, from which its next change is numbered, however
    /// old it is and whatever the other sources did since.
    @Test func pruningKeepsEachSourcesNumbering() async throws {
        let db = try TestDatabase()
        let (a, b) = (try await db.addSource("a"), try await db.addSource("b"))
        try await db.store.upsert(.contacts, sourceId: a, records: (0..<20).map { record("a\($0)", [:]) })
        try await db.store.upsert(.contacts, sourceId: b, records: [record("b0", [:])])
        try await db.store.upsert(.contacts, sourceId: a, records: (20..<40).map { record("a\($0)", [:]) })
        try await db.store.setChangeLogBounds(ChangeLogBounds(maxRows: 5))
        // Each source's own INSERT is its seq 1.
        #expect(try await db.store.changeLogSnapshot(recent: 0).lastSeqs == [a: 41, b: 2])
        try await db.store.pruneChangeLog(batch: 3)
        let seqs = { (source: String) in
            try db.store.pool.base.read { try Int64.fetchAll($0, sql: "SELECT seq FROM ghl_change_log WHERE source_id = ? ORDER BY id", arguments: [source]) }
        }
        #expect(try seqs(a) == Array(37...41))
        #expect(try seqs(b) == [2])
        try await db.store.upsert(.contacts, sourceId: b, records: [record("b1", [:])])
        try await db.store.pruneChangeLog(batch: 3)
        #expect(try seqs(b) == [3])
        #expect(try await db.store.changeLogSnapshot(recent: 0).lastSeqs == [a: 41, b: 3])
        #expect(try db.store.loggedChanges(of: b, after: 2, through: 3)?.map(\.seq) == [3])
        #expect(try db.store.loggedChanges(of: b, after: 1, through: 3) == nil)
    }

    /// Commits do not checkpoint; the background checkpointer copies the WAL
    /// into the file once it passes its threshold.
    @Test func theWALIsCopiedIntoTheFileInTheBackground() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        let before = try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int ?? 0
        let filler = String(repeating: "x", count: 4_000)
        for batch in 0..<20 {
            let page = (0..<100).map { record("c\(batch)-\($0)", ["email": "\(filler)\($0)"]) }
            try await db.store.upsert(.contacts, sourceId: source, records: page)
        }
        // 2,000 rows of 8 KB: far past the checkpoint threshold of about 4 MB of WAL.
        var size = before
        for _ in 0..<500 where size < 4_000_000 {
            try await Task.sleep(for: .milliseconds(20))
            size = try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int ?? 0
        }
        #expect(size >= 4_000_000)
        #expect(try await db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts") } == 2_000)
    }
}

/// A JSON object's text as a dictionary (key order aside), to compare two payloads.
private func jsonObject(_ text: String?) throws -> NSDictionary {
    try #require(try JSONSerialization.jsonObject(with: Data((text ?? "").utf8)) as? NSDictionary)
}
