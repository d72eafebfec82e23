import Crypto
import _CryptoExtras
import Foundation
import GHLAPI
import GHLPostgresTestSupport
@testable import GHLStore
import GHLSync
import GRDB
import Testing
import GHLJSON

/// The intake on both engines (`@Test(arguments: Engine.allCases)`), and on the
/// file what a locked or failing file does to a delivery.
@Suite struct WebhookIntakeTests {
    /// Keys of our own, standing in for GHL's (whose private halves nobody has).
    struct Signer {
        let ed25519 = Curve25519.Signing.PrivateKey()
        let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

        var keys: WebhookKeys { WebhookKeys(ed25519: [ed25519.publicKey], rsa: [rsa.publicKey]) }

        func ed25519Header(_ body: [UInt8]) -> String { try! ed25519.signature(for: body).base64EncodedString() }
        func rsaHeader(_ body: [UInt8]) -> String {
            try! rsa.signature(for: SHA256.hash(data: body), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
        }
    }

    let signer = Signer()

    func event(_ type: String, id: String = "c1", webhookId: String = UUID().uuidString, age: TimeInterval = 0,
               location: String = "loc1", extra: JSONObject = [:]) -> [UInt8] {
        var object: JSONObject = [
            "type": .string(type), "locationId": .string(location), "id": .string(id), "webhookId": .string(webhookId),
            "timestamp": .string(Timestamp.string(Date().addingTimeInterval(-age))), "firstName": "Ann", "email": "ann@example.com",
        ]
        object.merge(extra) { _, new in new }
        return Array(JSONValue.object(object).canonicalJSON.utf8)
    }

    func withIntake(_ engine: Engine, _ body: (EngineDatabase, Source, WebhookIntake) async throws -> Void) async throws {
        let db = try await EngineDatabase(engine)
        do {
            let source = try await db.addSource(locationId: "loc1")
            try await body(db, source, WebhookIntake(store: db.store, keys: signer.keys))
        } catch {
            await db.cleanup()
            throw error
        }
        await db.cleanup()
    }

    /// On the SQLite file, with its write lock's patience.
    func withFileIntake(lockPatience: TimeInterval, _ body: (TestStore, WebhookIntake) async throws -> Void) async throws {
        let test = try TestStore(lockPatience: lockPatience)
        defer { test.cleanup() }
        _ = try await test.addSource(locationId: "loc1")
        try await body(test, WebhookIntake(store: test.store, keys: signer.keys))
    }

    @Test(arguments: Engine.allCases)
    func ed25519SignedContactEventsAreApplied(_ engine: Engine) async throws {
        try await withIntake(engine) { test, source, intake in
            let create = event("ContactCreate", extra: ["tags": ["a"]])
            let receipt = try await intake.receive(body: create) { $0 == "x-ghl-signature" ? signer.ed25519Header(create) : nil }
            #expect(receipt.outcome == .upserted(.contacts, "c1"))
            #expect(receipt.sourceIds == [source.id])
            let tags = event("ContactTagUpdate", extra: ["tags": ["a", "b"]])
            try await intake.receive(body: tags) { $0 == "x-ghl-signature" ? signer.ed25519Header(tags) : nil }
            #expect(try test.int("""
                SELECT COUNT(*) FROM ghl_contacts WHERE ghl_contact_id = 'c1' AND first_name = 'Ann' AND tags = '["a","b"]' AND deleted_at IS NULL
                """) == 1)
            let delete = event("ContactDelete")
            let deleted = try await intake.receive(body: delete) { $0 == "x-ghl-signature" ? signer.ed25519Header(delete) : nil }
            #expect(deleted.outcome == .deleted(.contacts, "c1"))
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts WHERE deleted_at IS NOT NULL") == 1)
            #expect(try test.int("SELECT COUNT(*) FROM webhook_receipts") == 3)
        }
    }

    @Test(arguments: Engine.allCases)
    func eventsOutsideTheSourcesFilterAreNotWritten(_ engine: Engine) async throws {
        try await withIntake(engine) { test, source, intake in
            _ = try await test.store.setFilter(SyncFilter(contactRules: [.tag("customer")]), sourceId: source.id) { _ in }
            func send(_ body: [UInt8]) async throws -> WebhookReceipt {
                try await intake.receive(body: body) { $0 == "x-ghl-signature" ? signer.ed25519Header(body) : nil }
            }
            let lead = try await send(event("ContactCreate", id: "c1", extra: ["tags": ["lead"]]))
            #expect(lead.outcome == .acknowledged("the contacts record is outside the source's filter"))
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts") == 0)
            #expect(try await send(event("ContactCreate", id: "c2", extra: ["tags": ["Customer"]])).outcome == .upserted(.contacts, "c2"))
            let untagged = try await send(event("ContactTagUpdate", id: "c2", extra: ["tags": ["lead"]]))
            #expect(untagged.outcome == .acknowledged("the contacts record is outside the source's filter: marked out of scope"))
            #expect(try test.text("SELECT deleted_reason FROM ghl_contacts WHERE ghl_contact_id = 'c2'") == "out_of_scope")
            #expect(try await send(event("ContactTagUpdate", id: "c2", extra: ["tags": ["customer"]])).outcome == .upserted(.contacts, "c2"))
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts WHERE deleted_at IS NULL AND deleted_reason IS NULL") == 1)
            #expect(try await send(event("ContactDelete", id: "c2")).outcome == .deleted(.contacts, "c2"))
            #expect(try test.text("SELECT deleted_reason FROM ghl_contacts WHERE ghl_contact_id = 'c2'") == "deleted")
        }
    }

    @Test(arguments: Engine.allCases)
    func rsaSignedOpportunityAndOrderEventsAreApplied(_ engine: Engine) async throws {
        try await withIntake(engine) { test, _, intake in
            let opportunity = event("OpportunityStatusUpdate", id: "o1", extra: ["status": "won", "monetaryValue": 40])
            try await intake.receive(body: opportunity) { $0 == "x-wh-signature" ? signer.rsaHeader(opportunity) : nil }
            #expect(try test.int("SELECT COUNT(*) FROM ghl_opportunities WHERE status = 'won' AND monetary_value = 40") == 1)
            var order = event("OrderCreate", extra: ["_id": "or1", "amount": 150.1, "altId": "loc1", "altType": "location"])
            order = Array(String(decoding: order, as: UTF8.self).replacingOccurrences(of: #""id":"c1","#, with: "").utf8)
            try await intake.receive(body: order) { $0 == "x-wh-signature" ? signer.rsaHeader(order) : nil }
            #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE ghl_order_id = 'or1' AND amount = 150.1") == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func badSignaturesAreRejectedWithNothingStored(_ engine: Engine) async throws {
        try await withIntake(engine) { test, _, intake in
            let body = event("ContactCreate")
            let otherKey = Curve25519.Signing.PrivateKey()
            let forged = try otherKey.signature(for: body).base64EncodedString()
            for header in [["x-ghl-signature": forged], ["x-wh-signature": signer.rsaHeader(Array("other".utf8))],
                           ["x-ghl-signature": "not base64!"], [:]] {
                await #expect {
                    try await intake.receive(body: body) { header[$0] }
                } throws: { if case .badSignature = $0 as? WebhookError { true } else { false } }
            }
            let tampered = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "Ann", with: "Eve").utf8)
            await #expect(throws: WebhookError.self) {
                try await intake.receive(body: tampered) { $0 == "x-ghl-signature" ? signer.ed25519Header(body) : nil }
            }
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts") == 0)
            #expect(try test.int("SELECT COUNT(*) FROM webhook_receipts") == 0)
        }
    }

    /// Two deliveries of one record at once, each changing a field of its own,
    /// both stay: each merges onto the row the other left, never onto the same old one.
    @Test(arguments: Engine.allCases)
    func concurrentDeliveriesOfOneRecordKeepBothChanges(_ engine: Engine) async throws {
        try await withIntake(engine) { test, _, intake in
            let ids = (1...10).map { "c\($0)" }
            let time = JSONValue.string(Timestamp.string(Date()))
            func send(_ body: [UInt8]) async throws { try await intake.receive(body: body) { $0 == "x-ghl-signature" ? signer.ed25519Header(body) : nil } }
            for id in ids { try await send(event("ContactCreate", id: id, extra: ["timestamp": time])) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    let phone = event("ContactUpdate", id: id, extra: ["timestamp": time, "phone": .string("+1555\(id)")])
                    let tags = event("ContactTagUpdate", id: id, extra: ["timestamp": time, "tags": ["both"]])
                    group.addTask { try await send(phone) }
                    group.addTask { try await send(tags) }
                }
                try await group.waitForAll()
            }
            #expect(try test.int("""
                SELECT COUNT(*) FROM ghl_contacts WHERE phone = '+1555' || ghl_contact_id AND tags = '["both"]'
                """) == ids.count)
        }
    }

    func expectUnavailable(_ send: () async throws(WebhookError) -> WebhookReceipt, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            _ = try await send()
            Issue.record("the delivery was accepted although the store could not write it", sourceLocation: sourceLocation)
        } catch {
            guard case .unavailable = error else { Issue.record("expected unavailable, got \(error)", sourceLocation: sourceLocation); return }
        }
    }

    /// A delivery the store cannot take is `unavailable` (429, which GHL
    /// retries), stores nothing, and is applied when GHL sends it again.
    @Test func aDeliveryTheStoreCannotWriteIsUnavailableAndAppliedOnRetry() async throws {
        try await withFileIntake(lockPatience: WriteTurn.patience) { test, intake in
            let body = event("ContactCreate", webhookId: "w-disk")
            let send = { () async throws(WebhookError) -> WebhookReceipt in try await intake.receive(body: body) { $0 == "x-ghl-signature" ? signer.ed25519Header(body) : nil } }
            // Any failure of the write stands for a full disk or an I/O error.
            try await test.store.pool.base.write { db in
                try db.execute(sql: "CREATE TRIGGER fail_receipts BEFORE INSERT ON webhook_receipts BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
            }
            await expectUnavailable(send)
            #expect(try test.int("SELECT COUNT(*) FROM webhook_receipts") == 0)
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts") == 0)
            try await test.store.pool.base.write { try $0.execute(sql: "DROP TRIGGER fail_receipts") }
            #expect(try await send().outcome == .upserted(.contacts, "c1"))
        }
    }

    /// Another process holding the write lock past the store's patience (here
    /// one second) is the same: 429, nothing stored, applied on the retry.
    @Test func aDeliveryWhileTheFileIsLockedIsUnavailable() async throws {
        try await withFileIntake(lockPatience: 1) { test, intake in
            let body = event("ContactCreate", webhookId: "w-busy")
            let send = { () async throws(WebhookError) -> WebhookReceipt in try await intake.receive(body: body) { $0 == "x-ghl-signature" ? signer.ed25519Header(body) : nil } }
            // Another connection holds the write lock on a thread of its own while the delivery waits.
            let other = try DatabaseQueue(path: test.store.path)
            let (locked, release, done) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
            Thread {
                do {
                    try other.writeWithoutTransaction { db in
                        try db.execute(sql: "BEGIN IMMEDIATE")
                        locked.signal()
                        release.wait()
                        try db.execute(sql: "ROLLBACK")
                    }
                } catch {
                    locked.signal() // unlocked: the delivery goes through and the expectation below fails
                }
                done.signal()
            }.start()
            locked.wait()
            await expectUnavailable(send)
            release.signal()
            done.wait()
            #expect(try test.int("SELECT COUNT(*) FROM webhook_receipts") == 0)
            #expect(try await send().outcome == .upserted(.contacts, "c1"))
        }
    }

    @Test(arguments: Engine.allCases)
    func staleDuplicateMalformedAndUnknownLocationAreRejected(_ engine: Engine) async throws {
        try await withIntake(engine) { test, _, intake in
            func send(_ body: [UInt8]) async throws { try await intake.receive(body: body) { $0 == "x-ghl-signature" ? signer.ed25519Header(body) : nil } }
            await #expect(throws: WebhookError.self) { try await send(event("ContactCreate", age: 301)) }
            await #expect(throws: WebhookError.self) { try await send(event("ContactCreate", age: -400)) }
            await #expect(throws: WebhookError.self) { try await send(Array("{not json".utf8)) }
            await #expect(throws: WebhookError.self) { try await send(Array(#"{"type":"ContactCreate","locationId":"loc1","id":"c1"}"#.utf8)) }
            await #expect(throws: WebhookError.self) { try await send(event("ContactCreate", id: "")) }
            await #expect(throws: WebhookError.unknownLocation("elsewhere")) { try await send(event("ContactCreate", location: "elsewhere")) }
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts") == 0)
            #expect(try test.int("SELECT COUNT(*) FROM webhook_receipts") == 0)

            let once = event("ContactCreate", webhookId: "w1")
            try await send(once)
            let again = event("ContactUpdate", webhookId: "w1", extra: ["firstName": "Changed"])
            await #expect(throws: WebhookError.duplicate(webhookId: "w1")) { try await send(again) }
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts WHERE first_name = 'Ann'") == 1)
            #expect(try test.int("SELECT COUNT(*) FROM webhook_receipts") == 1)
        }
    }

    /// An update event leaves out GHL's update and change times and names the full
    /// name `name`: the row takes the event's time for them and the API's name,
    /// so the next sync's copy of the same version is recognised as such.
    @Test(arguments: Engine.allCases)
    func updatesStoreTheEventsTimeAndTheAPIsFieldNames(_ engine: Engine) async throws {
        try await withIntake(engine) { test, _, intake in
            func send(_ body: [UInt8]) async throws { try await intake.receive(body: body) { $0 == "x-ghl-signature" ? signer.ed25519Header(body) : nil } }
            try await send(event("ContactCreate", extra: ["name": "Ann Old", "dateAdded": "2024-01-01T00:00:00.000Z"]))
            #expect(try test.int("""
                SELECT COUNT(*) FROM ghl_contacts WHERE contact_name = 'Ann Old' AND ghl_updated_at = '2024-01-01T00:00:00.000Z'
                AND raw ->> 'contactName' = 'Ann Old' AND raw ->> 'name' IS NULL
                """) == 1)
            let update = event("ContactUpdate", age: 10, extra: ["name": "Ann New"])
            try await send(update)
            let sent = try #require(JSONValue(parsing: update).objectValue?["timestamp"]?.stringValue)
            #expect(try test.int("SELECT COUNT(*) FROM ghl_contacts WHERE contact_name = 'Ann New' AND ghl_updated_at = '\(sent)'") == 1)

            try await send(event("OpportunityCreate", id: "o1", extra: ["status": "open", "pipelineStageId": "s1"]))
            let won = event("OpportunityStatusUpdate", id: "o1", extra: ["status": "won", "pipelineStageId": "s1"])
            try await send(won)
            let stamp = try #require(JSONValue(parsing: won).objectValue?["timestamp"]?.stringValue)
            #expect(try test.int("""
                SELECT COUNT(*) FROM ghl_opportunities WHERE status = 'won' AND last_status_change_at = '\(stamp)' AND last_stage_change_at IS NULL
                """) == 1)
        }
    }

    @Test func ghlPublishedKeysParse() {
        let keys = WebhookKeys.ghl
        #expect(keys.ed25519.count == 1)
        #expect(keys.rsa.count == 1)
    }
}
