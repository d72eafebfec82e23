import Crypto
import Foundation
@testable import GHLStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/functions/v1` calls on B by A's editor and viewer, and webhook
/// deliveries forged, replayed, stale or oversized.
@Suite struct FunctionAndWebhookAttacks {
    @Test func functionsOnAnotherSourceStartNothing() async throws {
        let fixture = try await AttackFixture()
        let (a, b) = (fixture.a, fixture.b)
        let attacks: [(name: String, token: String, path: String, body: String)] = [
            ("editor runs all of B", fixture.editor, "run-ghl-all", #"{"source_id":"\#(b)","mode":"full"}"#),
            ("editor polls B's contacts", fixture.editor, "poll-ghl-contacts", #"{"source_id":"\#(b)"}"#),
            ("editor polls B's payments", fixture.editor, "poll-ghl-payments", #"{"source_id":"\#(b)","mode":"incremental"}"#),
            ("editor runs A at B's location", fixture.editor, "run-ghl-all", #"{"source_id":"\#(a)","locationId":"loc-beta"}"#),
            ("viewer runs all of A", fixture.base.viewer, "run-ghl-all", #"{"source_id":"\#(a)"}"#),
            ("viewer runs all of B", fixture.base.viewer, "run-ghl-all", #"{"source_id":"\#(b)"}"#),
            ("editor names both sources", fixture.editor, "run-ghl-all", #"{"source_id":["\#(a)","\#(b)"]}"#),
            ("editor injects into the source id", fixture.editor, "run-ghl-all", #"{"source_id":"\#(a)' OR '1'='1"}"#),
            ("editor sends two source ids", fixture.editor, "run-ghl-all", #"{"source_id":"\#(b)","source_id":"\#(a)"}"#),
            ("no token on B", "", "run-ghl-all", #"{"source_id":"\#(b)"}"#),
            ("editor polls a table ghlsync does not sync", fixture.editor, "poll-ghl-users", #"{"source_id":"\#(b)"}"#),
            ("editor climbs out of functions", fixture.editor, "..%2F..%2Frest%2Fv1%2Fusers", #"{"source_id":"\#(b)"}"#),
        ]
        try await fixture.base.test(sync: fixture.sync) { client in
            for attack in attacks {
                var headers: HTTPFields = attack.token.isEmpty ? [:] : RouterTests.bearer(attack.token)
                headers[.contentType] = "application/json"
                let response = try await client.execute(uri: "/functions/v1/\(attack.path)", method: .post, headers: headers,
                                                        body: ByteBuffer(string: attack.body))
                #expect(response.status.code < 500, "\(attack.name): \(response.status)")
                // A body naming both may be read as A, the editor's own: that run is allowed.
                if attack.name != "editor sends two source ids" {
                    #expect(!(200..<300).contains(Int(response.status.code)), "\(attack.name) was accepted")
                }
                #expect(fixture.leaks(String(buffer: response.body), request: attack.body).isEmpty, "\(attack.name)")
                #expect(try await fixture.expectNormalRead(client), "\(attack.name)")
            }
        }
        // At most that run of A: never one of B.
        let calls = fixture.base.sync.calls.withLock { $0 }
        #expect(calls.allSatisfy { !$0.contains(b) && $0.contains(a) } && calls.count <= 1, "\(calls)")
    }

    @Test func forgedReplayedStaleAndOversizedWebhooksChangeNothing() async throws {
        let fixture = try await AttackFixture()
        let other = AttackFixture.event("ContactUpdate", location: "loc-beta")
        let replayed = AttackFixture.event("ContactUpdate", location: "loc-beta", webhookId: "replay-1")
        let signature = HTTPField.Name("x-ghl-signature")!
        let rsaSignature = HTTPField.Name("x-wh-signature")!
        var attacks: [(name: String, body: String, headers: HTTPFields)] = []
        func add(_ name: String, _ body: String, _ headers: HTTPFields) { attacks.append((name, body, headers)) }
        add("unsigned", other, [:])
        add("signature not base64", other, [signature: "%%%"])
        add("signature of another body", other, fixture.signed(AttackFixture.event("ContactDelete", location: "loc-beta")))
        add("body changed after signing", other.replacingOccurrences(of: "Mallory", with: "Eve"), fixture.signed(other))
        add("empty signature, garbage RSA signature", other, [signature: "", rsaSignature: Data(repeating: 7, count: 256).base64EncodedString()])
        add("signed by a key ghlsync does not trust", other,
            [signature: (try! Curve25519.Signing.PrivateKey().signature(for: Data(other.utf8))).base64EncodedString()])
        add("delete B's contact, unsigned", AttackFixture.event("ContactDelete", location: "loc-beta"), [:])
        add("stale", AttackFixture.event("ContactUpdate", location: "loc-beta", age: 900),
            fixture.signed(AttackFixture.event("ContactUpdate", location: "loc-beta", age: 900)))
        let future = AttackFixture.event("ContactUpdate", location: "loc-beta", age: -900)
        add("from the future", future, fixture.signed(future))
        let unknown = AttackFixture.event("ContactCreate", location: "loc-nobody")
        add("unknown location", unknown, fixture.signed(unknown))
        let noId = #"{"type":"ContactCreate","locationId":"loc-beta","timestamp":"\#(Timestamp.string())"}"#
        add("no webhook id", noId, fixture.signed(noId))
        add("not JSON", "not json", fixture.signed("not json"))
        add("a JSON array", "[1,2]", fixture.signed("[1,2]"))
        let big = AttackFixture.event("ContactUpdate", location: "loc-beta", extra: #","pad":"\#(String(repeating: "x", count: 1 << 20))""#)
        add("oversized", big, fixture.signed(big))
        add("replayed", replayed, fixture.signed(replayed))

        let deliveries = attacks
        try await fixture.base.test(sync: fixture.sync) { client in
            // GHL's real delivery, once: applied.
            let first = try await client.execute(uri: "/webhooks/ghl", method: .post, headers: fixture.signed(replayed), body: ByteBuffer(string: replayed))
            #expect(first.status == .ok, "\(String(buffer: first.body))")
            let contacts = try fixture.contactRows()
            let receipts = try fixture.receipts()
            #expect(receipts == 1)
            for attack in deliveries {
                let response = try await client.execute(uri: "/webhooks/ghl", method: .post, headers: attack.headers, body: ByteBuffer(string: attack.body))
                #expect((400..<500).contains(Int(response.status.code)) && response.status != .tooManyRequests, "\(attack.name): \(response.status)")
                #expect(try fixture.contactRows() == contacts, "\(attack.name) changed a contact")
                #expect(try fixture.receipts() == receipts, "\(attack.name) was stored")
                #expect(fixture.leaks(String(buffer: response.body), request: attack.body).isEmpty, "\(attack.name)")
                #expect(try await fixture.expectNormalRead(client), "\(attack.name)")
            }
        }
    }

    /// GHL retries only a 429: a delivery the store cannot write gets one,
    /// with Retry-After, and the retry is applied once the store is back.
    @Test func aWebhookTheStoreCannotWriteIsAnswered429() async throws {
        let fixture = try await AttackFixture()
        let body = AttackFixture.event("ContactUpdate", location: "loc-alpha", id: "a1", webhookId: "w-retry")
        try await fixture.base.store.pool.base.write { db in
            try db.execute(sql: "CREATE TRIGGER fail_receipts BEFORE INSERT ON webhook_receipts BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        }
        try await fixture.base.test(sync: fixture.sync) { client in
            let refused = try await client.execute(uri: "/webhooks/ghl", method: .post, headers: fixture.signed(body), body: ByteBuffer(string: body))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "60")
            #expect(try fixture.receipts() == 0)
            try await fixture.base.store.pool.base.write { try $0.execute(sql: "DROP TRIGGER fail_receipts") }
            let retried = try await client.execute(uri: "/webhooks/ghl", method: .post, headers: fixture.signed(body), body: ByteBuffer(string: body))
            #expect(retried.status == .ok)
            #expect(try fixture.receipts() == 1)
        }
        #expect(fixture.base.metrics.value("ghlsync_webhooks_total", ["outcome": "deferred"]) == 1)
    }
}
