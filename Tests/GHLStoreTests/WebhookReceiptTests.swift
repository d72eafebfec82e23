import Foundation
import GRDB
import Testing
@testable import GHLStore

/// A delivery's receipt and its writes share one transaction.
@Suite struct WebhookReceiptTests {
    private func receipts(_ db: TestDatabase) throws -> Int {
        try db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM webhook_receipts") ?? 0 }
    }

    @Test func aDeliveryWritesItsReceiptOnceWithItsChanges() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        let sources = try await db.store.receiveWebhook(webhookId: "w1", eventType: "ContactCreate", locationId: "loc-a", at: Date()) { writes in
            #expect(try writes.stored(.contacts, sourceId: a, ghlId: "c1") == nil)
            try writes.upsert(.contacts, sourceId: a, records: [record("c1", updated: "2024-05-01T00:00:00.000Z", ["email": "e@x.test"])])
            #expect(try writes.stored(.contacts, sourceId: a, ghlId: "c1")?.ghlUpdatedAt == "2024-05-01T00:00:00.000Z")
            #expect(try writes.filter(of: a) == nil)
            return writes.sourceIds
        }
        #expect(sources == [a])
        #expect(try receipts(db) == 1)
        await #expect(throws: Store.WebhookRefusal.duplicate(webhookId: "w1")) {
            try await db.store.receiveWebhook(webhookId: "w1", eventType: "ContactDelete", locationId: "loc-a", at: Date()) { _ in }
        }
        await #expect(throws: Store.WebhookRefusal.unknownLocation("loc-z")) {
            try await db.store.receiveWebhook(webhookId: "w2", eventType: "ContactDelete", locationId: "loc-z", at: Date()) { _ in }
        }
        let deleted = try await db.store.receiveWebhook(webhookId: "w3", eventType: "ContactDelete", locationId: "loc-a", at: Date()) { writes in
            [try writes.markDeleted(.contacts, sourceId: a, ghlId: "c1"), try writes.markDeleted(.contacts, sourceId: a, ghlId: "c1")]
        }
        #expect(deleted == [true, false])
    }

    @Test func aFailingDeliveryLeavesNoReceiptAndNoChange() async throws {
        struct Refused: Error {}
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        await #expect(throws: Refused.self) {
            try await db.store.receiveWebhook(webhookId: "w1", eventType: "ContactCreate", locationId: "loc-a", at: Date()) { writes in
                try writes.upsert(.contacts, sourceId: a, records: [record("c1", ["email": "e@x.test"])])
                throw Refused()
            }
        }
        #expect(try receipts(db) == 0)
        #expect(try await db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts") } == 0)
    }
}
