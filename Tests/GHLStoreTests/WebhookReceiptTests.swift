import Foundation
import GRDB
import Testing
@testable import GHLStore

/// A delivery's receipt and its writes share one transaction.
@Suite struct WebhookReceiptTests {
    private func receipts(_ db: TestDatabase) throws -> Int {
        try db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM webhook_receipts") ?? 0 }
    }

    private func delivery(_ id: String, _ location: String, _ change: WebhookDelivery.Change?) -> WebhookDelivery {
        WebhookDelivery(webhookId: id, eventType: "ContactCreate", locationId: location, change: change)
    }

    @Test func aDeliveryWritesItsReceiptOnceWithItsChanges() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        let created = record("c1", updated: "2024-05-01T00:00:00.000Z", ["email": "e@x.test"])
        let applied = try await db.store.receiveWebhook(delivery("w1", "loc-a", .upsert(.contacts, ghlId: "c1") { stored, filter in
            #expect(stored == nil && filter == nil)
            return .write(created)
        }), at: Date())
        #expect(applied == WebhookApplied(sourceIds: [a], installed: [], writes: [.upserted]))
        #expect(try receipts(db) == 1)
        let again = try await db.store.receiveWebhook(delivery("w1b", "loc-a", .upsert(.contacts, ghlId: "c1") { stored, _ in
            .skip(stored?.ghlUpdatedAt ?? "none")
        }), at: Date())
        #expect(again.writes == [.skipped("2024-05-01T00:00:00.000Z")], "decide sees the stored row")
        await #expect(throws: Store.WebhookRefusal.duplicate(webhookId: "w1")) {
            try await db.store.receiveWebhook(delivery("w1", "loc-a", .delete(.contacts, ghlId: "c1")), at: Date())
        }
        await #expect(throws: Store.WebhookRefusal.unknownLocation("loc-z")) {
            try await db.store.receiveWebhook(delivery("w2", "loc-z", nil), at: Date())
        }
        let deleted = try await db.store.receiveWebhook(delivery("w3", "loc-a", .delete(.contacts, ghlId: "c1")), at: Date())
        let twice = try await db.store.receiveWebhook(delivery("w4", "loc-a", .delete(.contacts, ghlId: "c1")), at: Date())
        #expect(deleted.writes == [.deleted(found: true)] && twice.writes == [.deleted(found: false)])
    }

    @Test func aFailingDeliveryLeavesNoReceiptAndNoChange() async throws {
        struct Refused: Error {}
        let db = try TestDatabase()
        _ = try await db.addSource("a")
        await #expect(throws: Refused.self) {
            try await db.store.receiveWebhook(delivery("w1", "loc-a", .upsert(.contacts, ghlId: "c1") { _, _ in throw Refused() }), at: Date())
        }
        #expect(try receipts(db) == 0)
        #expect(try await db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts") } == 0)
    }
}
