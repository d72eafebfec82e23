import Foundation
import GHLPostgresTestSupport
import GHLRealtime
@testable import GHLStore
import Testing

/// What a row's writes look like on the bus: as the live set (`deleted_at IS
/// NULL`, what the views show) sees them, one event per change GHL made.
@Suite struct LiveSetBroadcastTests {
    /// What `subscription` got of everything committed so far.
    func drain(_ subscription: BusSubscription, of fixture: StoreFixture) async throws -> [ReceivedChange] {
        try await fixture.settle()
        return try (subscription.take()?.events ?? []).map(ReceivedChange.init)
    }

    @Test(arguments: Engine.allCases) func aRowLeavingTheLiveSetIsADeleteAndOneComingBackAnInsert(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine)
        defer { fixture.remove() }
        let a = fixture.sourceA
        try await fixture.settle()
        let subscription = fixture.bus.subscribe(to: "ghl:\(a)")
        try await fixture.upsert(a, [("c1", "Ada")])
        try await fixture.upsert(a, [("c1", "Grace")])
        // A filter excludes it: it leaves the views (as the sync marks it, `Store.markOutOfScope`).
        try await fixture.execute("""
            UPDATE ghl_contacts SET deleted_at = '2024-05-01T00:00:00.000Z', deleted_reason = 'out_of_scope' WHERE ghl_contact_id = 'c1'
            """)
        // GHL deletes it while it is out of scope: nothing a view shows changes.
        try await fixture.execute("UPDATE ghl_contacts SET deleted_reason = 'deleted' WHERE ghl_contact_id = 'c1'")
        // It comes back (the filter keeps it again, or GHL restored it).
        try await fixture.upsert(a, [("c1", "Grace again")])
        // GHL deletes it, as a webhook's ContactDelete or a full listing's sweep marks it.
        try await fixture.execute("UPDATE ghl_contacts SET deleted_at = '2024-06-01T00:00:00.000Z', deleted_reason = 'deleted' WHERE ghl_contact_id = 'c1'")
        let changes = try await drain(subscription, of: fixture)
        #expect(changes.map(\.operation) == ["INSERT", "UPDATE", "DELETE", "INSERT", "DELETE"])
        let delete = changes[2]
        // Payloads are the record when the log is read: the background reader may read this DELETE before the
        // later writes ("Grace") or after them ("Grace again"), never an older version.
        #expect(delete.new == nil && delete.old?.ghl_contact_id == "c1", "\(delete)")
        #expect(["Grace", "Grace again"].contains(delete.old?.raw?.firstName), "\(delete)")
        let insert = changes[3]
        #expect(insert.old == nil && insert.new?.ghl_contact_id == "c1" && insert.new?.raw?.firstName == "Grace again")
        #expect(changes[4].old?.raw?.firstName == "Grace again" && changes[4].new == nil)
        #expect(changes.allSatisfy { $0.source_id == a && $0.table == "ghl_contacts" })
    }

    @Test(arguments: Engine.allCases) func aRefreshOfTheSameGHLVersionIsNotBroadcastButAnyNewerOrDifferentRowIs(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine)
        defer { fixture.remove() }
        let a = fixture.sourceA
        try await fixture.settle()
        let subscription = fixture.bus.subscribe(to: "ghl:\(a)")
        func upsert(raw: String, email: String, updated: String) async throws {
            try await fixture.upsert(a, records: [
                EntityRecord(ghlId: "c1", values: ["email": .text(email)], raw: raw,
                             ghlCreatedAt: "2024-01-01T00:00:00.000Z", ghlUpdatedAt: updated),
            ])
        }
        // The webhook's row: its event time stands for GHL's version.
        try await upsert(raw: #"{"email":"a@x","id":"c1","name":"A"}"#, email: "a@x", updated: "2024-05-01T10:00:00.050Z")
        // The sync's full copy of that version (GHL updated it a little before the event was sent).
        try await upsert(raw: #"{"contactName":"A","email":"a@x","id":"c1"}"#, email: "a@x", updated: "2024-05-01T10:00:00.000Z")
        // The copy is stored, with GHL's time.
        #expect(try await fixture.count("""
            SELECT count(*) FROM ghl_contacts WHERE ghl_contact_id = 'c1'
                AND CAST(raw AS TEXT) LIKE '%contactName%' AND ghl_updated_at < '2024-05-01T10:00:00.050Z'
            """) == 1)
        // A newer version, and a same-time one that changes what the views show, are broadcast.
        try await upsert(raw: #"{"contactName":"A","email":"a@x","id":"c1","v":2}"#, email: "a@x", updated: "2024-05-02T00:00:00.000Z")
        try await upsert(raw: #"{"contactName":"A","email":"b@x","id":"c1","v":2}"#, email: "b@x", updated: "2024-05-02T00:00:00.000Z")
        let changes = try await drain(subscription, of: fixture)
        #expect(changes.map(\.operation) == ["INSERT", "UPDATE", "UPDATE"])
    }
}
