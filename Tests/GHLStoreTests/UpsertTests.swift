import Foundation
import GRDB
import Testing
@testable import GHLStore

@Suite struct UpsertTests {
    @Test func samePageTwiceWritesNothingTheSecondTime() throws {
        let db = try TestDatabase()
        let source = try db.addSource("a")
        let events = EventRecorder(db.store)
        let page = (1...50).map { record("c\($0)", updated: "2024-05-01T00:00:00.000Z", ["email": "c\($0)@example.com", "first_name": "Zoë \($0)"]) }

        #expect(try db.store.upsert(.contacts, sourceId: source, records: page) == 50)
        let firstWrite = try db.store.pool.read { try String.fetchAll($0, sql: "SELECT updated_at FROM ghl_contacts ORDER BY id") }
        #expect(events.events.filter { $0.table == "ghl_contacts" }.count == 50)
        events.clear()

        #expect(try db.store.upsert(.contacts, sourceId: source, records: page, at: Date().addingTimeInterval(60)) == 0)
        let secondWrite = try db.store.pool.read { try String.fetchAll($0, sql: "SELECT updated_at FROM ghl_contacts ORDER BY id") }
        #expect(secondWrite == firstWrite)
        #expect(events.events.isEmpty)
    }

    @Test func changedRecordIsUpdatedAndBroadcastWithOldAndNew() throws {
        let db = try TestDatabase()
        let source = try db.addSource("a")
        try db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "old@example.com"]), record("c2", ["email": "same@example.com"])])
        let events = EventRecorder(db.store)

        let written = try db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "new@example.com"]), record("c2", ["email": "same@example.com"])])
        #expect(written == 1)
        let changes = events.events
        #expect(changes.count == 1)
        let change = try #require(changes.first)
        #expect(change.operation == .update)
        #expect(change.sourceId == source)
        #expect(change.topic == "ghl:\(source)")
        #expect(change.old?.contains("old@example.com") == true)
        #expect(change.new?.contains("new@example.com") == true)
        let email = try db.store.pool.read { try String.fetchOne($0, sql: "SELECT email FROM ghl_contacts WHERE ghl_contact_id = 'c1'") }
        #expect(email == "new@example.com")
    }

    @Test func softDeletedRecordRevivesWhenSeenAgain() throws {
        let db = try TestDatabase()
        let source = try db.addSource("a")
        let contact = record("c1", ["email": "x@example.com"])
        try db.store.upsert(.contacts, sourceId: source, records: [contact])
        try db.store.pool.write { try $0.execute(sql: "UPDATE ghl_contacts SET deleted_at = '2024-01-01T00:00:00.000Z'") }

        #expect(try db.store.upsert(.contacts, sourceId: source, records: [contact]) == 1)
        let live = try db.store.pool.read { try Bool.fetchOne($0, sql: "SELECT deleted_at IS NULL FROM ghl_contacts") }
        #expect(live == true)
    }

    @Test func sameIdInTwoSourcesStaysTwoRows() throws {
        let db = try TestDatabase()
        let a = try db.addSource("a"), b = try db.addSource("b")
        try db.store.upsert(.orders, sourceId: a, records: [record("o1", ["amount": 10.0])])
        try db.store.upsert(.orders, sourceId: b, records: [record("o1", ["amount": 20.0])])
        let amounts = try db.store.pool.read { try Double.fetchAll($0, sql: "SELECT amount FROM ghl_orders ORDER BY amount") }
        #expect(amounts == [10, 20])
    }

    @Test func unknownSourceIsAClearErrorAndWritesNothing() throws {
        let db = try TestDatabase()
        #expect(throws: StoreError.unknownSource("nope")) {
            try db.store.upsert(.contacts, sourceId: "nope", records: [record("c1", ["email": "x"])])
        }
        #expect(try db.store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts") } == 0)
    }

    @Test func rolledBackTransactionPublishesNothing() throws {
        let db = try TestDatabase()
        let source = try db.addSource("a")
        let events = EventRecorder(db.store)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.store.pool.write { conn throws in
                try Store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "x"])], in: conn)
                throw Abort()
            }
        }
        try db.store.upsert(.contacts, sourceId: source, records: [record("c2", ["email": "y"])])
        #expect(events.events.map { $0.new?.contains("\"c2\"") } == [true])
    }

    @Test func deleteEventCarriesSourceAndKey() throws {
        let db = try TestDatabase()
        let source = try db.addSource("a")
        try db.store.upsert(.reviews, sourceId: source, records: [record("r1", ["rating": 4.0])])
        let events = EventRecorder(db.store)
        try db.store.pool.write { try $0.execute(sql: "DELETE FROM ghl_reviews") }
        let change = try #require(events.events.first)
        #expect(change.operation == .delete)
        #expect(change.sourceId == source)
        #expect(change.new == nil)
        #expect(change.old?.contains("\"ghl_review_id\":\"r1\"") == true)
    }

    @Test func eventsOfOneCommitArriveInWriteOrder() throws {
        let db = try TestDatabase()
        let source = try db.addSource("a")
        let events = EventRecorder(db.store)
        let ids = (1...20).map { "p\($0)" }
        try db.store.upsert(.payments, sourceId: source, records: ids.map { record($0, ["amount": 1.0]) })
        let seen = events.events.compactMap { event in ids.first { event.new?.contains("\"ghl_payment_id\":\"\($0)\"") == true } }
        #expect(seen == ids)
    }
}
