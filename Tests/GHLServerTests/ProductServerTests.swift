import Foundation
import GHLAuth
import GHLSandbox
import GHLServer
import GHLStore
import GHLSync
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import GHLJSON

/// `ProductServer` as `ghlsync serve` runs it, over a live socket, against the
/// in-process GHL sandbox: real auth, real sync engine, signed webhooks.
@Suite struct ProductServerTests {
    @Test func syncsReadsAndTakesWebhooksEndToEnd() async throws {
        let world = try await SandboxServer(seed: 7, counts: RecordCounts(contacts: 30, opportunities: 12, orders: 6, transactions: 8, reviews: 5))
        let (sandbox, server, source) = (world.sandbox, world.server, world.source)
        let editor = try await server.auth.accounts.addUser(email: "editor@example.com")
        try await server.auth.accounts.grant(.editor, to: editor.id, on: source.id)
        let token = try await server.auth.issueToken(for: editor.id).accessToken
        let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

        let app = try server.application(host: "127.0.0.1", port: 0, metricsToken: "scrape", logger: Logger(label: "test")) { _ in }
        try await app.test(.live) { client in
            try await client.execute(uri: "/functions/v1/run-ghl-all", method: .post, headers: bearer,
                                     body: ByteBuffer(string: #"{"source_id":"\#(source.id)","mode":"full"}"#)) { response in
                #expect(response.status == .ok)
                let body = try RouterTests.object(response)
                #expect(body["ok"] as? Bool == true)
                #expect((body["counts"] as? [String: Int])?["contacts"] == 30)
            }
            try await client.execute(uri: "/rest/v1/v_ghl_dashboard_summary?source_id=eq.\(source.id)", method: .get,
                                     headers: bearer) { response in
                let rows = try RouterTests.rows(response)
                #expect(rows.first?["contacts_count"] as? Int == 30)
            }

            // A contact created in GHL arrives by signed webhook, with no sync.
            sandbox.webhookURL = "http://127.0.0.1:\(try #require(client.port))/webhooks/ghl"
            try sandbox.create(.contacts, location: world.location,
                               fields: JSONValue(parsing: #"{"firstName":"Webhook","lastName":"Arrival"}"#))
            var names: [String] = []
            for _ in 0..<100 where !names.contains("Webhook Arrival") {
                try await Task.sleep(for: .milliseconds(50))
                names = try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?source_id=eq.\(source.id)&order=date_updated.desc&limit=3",
                                                 method: .get, headers: bearer) { try RouterTests.rows($0).compactMap { $0["contact_name"] as? String } }
            }
            #expect(names.first == "Webhook Arrival")

            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer scrape"]) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"ghlsync_sync_runs_total{entity="contacts",outcome="ok"} 1"#))
                #expect(text.contains(#"ghlsync_webhooks_total{outcome="applied"} 1"#))
                #expect(text.contains(#"ghlsync_realtime_events_total{table="ghl_contacts"} 31"#))
                let requests = text.split(separator: "\n").first { $0.hasPrefix("ghlsync_ghl_api_requests_total ") }
                #expect((requests?.split(separator: " ").last).flatMap { Int($0) } ?? 0 >= 6)
            }
        }
        await world.stop()
    }
}
