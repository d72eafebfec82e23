import Foundation
import GHLAuth
import GHLSandbox
import GHLServer
@testable import GHLStore
import GHLSync
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import GHLJSON

/// One change in GHL is one realtime event, whether a signed webhook, a sync,
/// or both (webhook first, then the next syncs) bring it: a create is an
/// INSERT, an edit an UPDATE, a deletion a DELETE with `old`.
@Suite(.timeLimit(.minutes(3))) struct RealtimeOnceTests {
    @Test func aChangeArrivingByWebhookThenBySyncIsBroadcastOnce() async throws {
        let world = try await SandboxServer(seed: 11, counts: RecordCounts(contacts: 10, opportunities: 3, orders: 2, transactions: 2, reviews: 2))
        let (sandbox, server, source, store, location) = (world.sandbox, world.server, world.source, world.store, world.location)
        let sync: @Sendable (SyncMode) async throws -> Void = { mode in
            let result = try await server.engine.runAll(RunRequest(sourceId: source.id, mode: mode))
            #expect(result.results.allSatisfy { $0.ok })
        }
        try await sync(.full)
        let app = try server.application(host: "127.0.0.1", port: 0, logger: Logger(label: "test")) { _ in }
        try await app.test(.live) { client in
            sandbox.webhookURL = "http://127.0.0.1:\(try #require(client.port))/webhooks/ghl"
            let subscription = server.realtime.bus.subscribe(to: "ghl:\(source.id)")
            /// Makes a change in GHL, waits for its `webhooks` to be answered, syncs twice, and returns
            /// the events of `table` broadcast meanwhile, as (operation, payload).
            func broadcast(_ table: String = "ghl_contacts", webhooks: Int = 1, _ change: () throws -> Void) async throws -> [(String, [String: Any])] {
                let before = sandbox.webhookDeliveries.count
                try change()
                for _ in 0..<200 where sandbox.webhookDeliveries.count < before + webhooks {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let deliveries = sandbox.webhookDeliveries.dropFirst(before)
                #expect(deliveries.count == webhooks && deliveries.allSatisfy { $0.status == 200 }, "\(deliveries.map { ($0.type, $0.status) })")
                try await sync(.full)
                try await sync(.incremental)
                try await store.pollChanges()
                let events = subscription.take()?.events ?? []
                return try events.filter { $0.table == table }.map { event in
                    let payload = try #require(try JSONSerialization.jsonObject(with: Data(event.payload.readableBytesView)) as? [String: Any])
                    return (event.operation.rawValue, payload)
                }
            }
            func row(_ payload: [String: Any], _ side: String) -> [String: Any]? { payload[side] as? [String: Any] }

            let created = try await broadcast {
                _ = try sandbox.create(.contacts, location: location, fields: JSONValue(parsing: #"{"firstName":"Once","lastName":"Created"}"#))
            }
            #expect(created.map(\.0) == ["INSERT"])
            let id = try #require(created.first.flatMap { row($0.1, "new")?["ghl_contact_id"] as? String })

            let updated = try await broadcast {
                _ = try sandbox.update(.contacts, location: location, id: id, patch: JSONValue(parsing: #"{"lastName":"Edited"}"#))
            }
            #expect(updated.map(\.0) == ["UPDATE"])
            #expect(updated.first.flatMap { row($0.1, "new")?["last_name"] as? String } == "Edited")
            // The syncs stored GHL's own copy of the record, silently.
            let stored = try await store.pool.base.read { db in
                try String.fetchOne(db, sql: "SELECT raw FROM ghl_contacts WHERE ghl_contact_id = ?", arguments: [id])
            }
            let ghl = try sandbox.record(.contacts, location: location, id: id).encodedString
            func object(_ text: String?) throws -> NSDictionary? {
                try text.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? NSDictionary }
            }
            #expect(try object(stored) == object(ghl))

            let deleted = try await broadcast { try sandbox.delete(.contacts, location: location, id: id) }
            #expect(deleted.map(\.0) == ["DELETE"])
            #expect(deleted.first.map { row($0.1, "new") == nil && row($0.1, "old")?["ghl_contact_id"] as? String == id } == true)

            // An opportunity's status change comes as two events that leave out GHL's change time.
            let opportunity = try #require(try sandbox.records(.opportunities, location: location).first { $0["status"]?.stringValue != "won" })
            let opportunityId = try #require(opportunity["id"]?.stringValue)
            let won = try await broadcast("ghl_opportunities", webhooks: 2) {
                _ = try sandbox.update(.opportunities, location: location, id: opportunityId, patch: JSONValue(parsing: #"{"status":"won"}"#))
            }
            #expect(won.map(\.0) == ["UPDATE"])
            #expect(won.first.flatMap { row($0.1, "new")?["status"] as? String } == "won")
            subscription.cancel()
        }
        await world.stop()
    }
}
