import Crypto
import Foundation
import GHLAuth
import GHLServer
@testable import GHLStore
import GHLSync
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// The attacker's world: `Fixture`'s two sources, A ("Alpha Dental") and B
/// ("Beta Gym"), seen by A's viewer and A's editor, with sync jobs on both
/// and a real webhook intake signing with a key of the test's own.
///
/// Every attack asserts that nothing of B reaches the attacker. Besides
/// looking for B's data in what comes back (`leaks`), the suite replays each
/// attack after `bActivity()` (B gains contacts, jobs, users, sessions, grants,
/// receipts, cursors): an answer that changes counted something of B.
struct AttackFixture {
    let base: Fixture
    let editor: String
    let viewerId: String
    let ownerId: String
    let signer = Curve25519.Signing.PrivateKey()
    let sync: AttackSync

    var a: String { base.first.id }
    var b: String { base.second.id }

    init() async throws {
        base = try await Fixture()
        viewerId = try await base.auth.accounts.user(email: "viewer@example.com").id
        ownerId = try await base.auth.accounts.user(email: "owner@example.com").id
        let editorUser = try await base.auth.accounts.addUser(email: "editor@example.com", password: Fixture.password)
        try await base.auth.accounts.grant(.editor, to: editorUser.id, on: base.first.id)
        editor = try await base.auth.issueToken(for: editorUser.id).accessToken
        let intake = WebhookIntake(store: base.store, keys: WebhookKeys(ed25519: [signer.publicKey]))
        sync = AttackSync(recorder: base.sync, webhooks: EngineSyncService(engine: SyncEngine(store: base.store, environment: [:]), intake: intake))
        try addJobs(source: base.first.id, count: 1)
        try addJobs(source: base.second.id, count: 3)
    }

    /// B's own data, which must never reach A's users.
    var markers: [String] { [b, "Secret", "secret@beta.example", "Beta Gym", "loc-beta", "EUR", "b-more-"] }

    /// The markers of B found in `text`, leaving out those the attacker sent (an error may quote its request).
    func leaks(_ text: String, request: String = "") -> [String] {
        markers.filter { text.contains($0) && !request.contains($0) }
    }

    /// B keeps working: new contacts, sync jobs, a user with a session and a
    /// grant, a webhook receipt and a cursor. None of it may change what A's
    /// users see.
    func bActivity(_ round: Int = 1) async throws {
        try await base.store.upsert(.contacts, sourceId: b, records: (0..<4).map {
            Fixture.contact("b-more-\(round)-\($0)", first: "Secret", last: "More", email: nil, updated: "2024-06-01T10:00:00.000Z")
        })
        try addJobs(source: b, count: 3)
        let user = try await base.auth.accounts.addUser(email: "b\(round)@beta.example", password: Fixture.password)
        try await base.auth.accounts.grant(.viewer, to: user.id, on: b)
        _ = try await base.auth.issueToken(for: user.id)
        try await base.store.pool.base.write { [b] db in
            let now = Timestamp.string()
            try db.execute(sql: "INSERT INTO webhook_receipts (webhook_id, source_id, event_type, received_at) VALUES (?, ?, 'ContactCreate', ?)",
                           arguments: ["b-hook-\(round)", b, now])
            try db.execute(sql: "INSERT OR REPLACE INTO sync_cursors (source_id, entity, cursor, updated_at) VALUES (?, ?, '{}', ?)",
                           arguments: [b, "round-\(round)", now])
        }
    }

    func addJobs(source: String, count: Int) throws {
        try base.store.pool.base.write { db in
            for _ in 0..<count {
                try db.execute(sql: """
                    INSERT INTO ghl_sync_jobs (source_id, job_type, status, records_processed, started_at, completed_at, created_at)
                    VALUES (?, 'contacts', 'completed', 3, '2024-05-01T10:00:00.000Z', '2024-05-01T10:00:01.000Z', '2024-05-01T10:00:00.000Z')
                    """, arguments: [source])
            }
        }
    }

    /// What A's viewer reads normally: the server still answers after an attack.
    func expectNormalRead(_ client: any TestClientProtocol) async throws -> Bool {
        let response = try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?select=ghl_contact_id", method: .get,
                                                headers: RouterTests.bearer(base.viewer))
        let rows = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]
        return response.status == .ok && Set(rows?.compactMap { $0["ghl_contact_id"] as? String } ?? []) == ["a1", "a2", "a3"]
    }

    // MARK: tokens

    /// The file's signing key, as only the server (and whoever stole the key file) has it.
    func signingKey() throws -> (kid: String, key: SymmetricKey) {
        let data = try Data(contentsOf: URL(fileURLWithPath: base.store.path + ".keys"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: String]
        return (object["kid"]!, SymmetricKey(data: Data(base64Encoded: object["hs256"]!)!))
    }

    /// The header and claims of a token this server issued.
    static func parts(_ token: String) -> (header: [String: Any], claims: [String: Any]) {
        let pieces = token.split(separator: ".").map { Data(base64URL: String($0)) ?? Data() }
        return ((try? JSONSerialization.jsonObject(with: pieces[0])) as? [String: Any] ?? [:],
                (try? JSONSerialization.jsonObject(with: pieces[1])) as? [String: Any] ?? [:])
    }

    /// A JWT with the given header and claims, HMAC-SHA256-signed with `key`, or unsigned.
    static func token(header: [String: Any], claims: [String: Any], key: SymmetricKey?) -> String {
        func encode(_ object: [String: Any]) -> String {
            (try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).base64URL
        }
        let signingInput = encode(header) + "." + encode(claims)
        guard let key else { return signingInput + "." }
        return signingInput + "." + Data(HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)).base64URL
    }

    // MARK: webhooks

    func signed(_ body: String) -> HTTPFields {
        [HTTPField.Name("x-ghl-signature")!: (try! signer.signature(for: Data(body.utf8))).base64EncodedString()]
    }

    static func event(_ type: String, location: String, id: String = "b1", webhookId: String = UUID().uuidString,
                      age: TimeInterval = 0, extra: String = "") -> String {
        let time = Timestamp.string(Date().addingTimeInterval(-age))
        return #"{"type":"\#(type)","locationId":"\#(location)","id":"\#(id)","webhookId":"\#(webhookId)","timestamp":"\#(time)","firstName":"Mallory"\#(extra)}"#
    }

    /// Every contact row of the file, to see that a refused delivery changed nothing.
    func contactRows() throws -> [String] {
        try base.store.pool.base.read { try String.fetchAll($0, sql: "SELECT source_id || ghl_contact_id || raw || COALESCE(deleted_at, '') FROM ghl_contacts ORDER BY id") }
    }

    func receipts() throws -> Int {
        try base.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM webhook_receipts") ?? 0 }
    }
}

/// Functions are recorded (no GHL behind them), webhooks go to the real intake.
struct AttackSync: SyncService {
    let recorder: RecordingSync
    let webhooks: EngineSyncService

    func runAll(_ request: SyncRequest) async throws -> RunAllResult { try await recorder.runAll(request) }
    func poll(_ entity: Entity, _ request: SyncRequest) async throws -> EntityResult { try await recorder.poll(entity, request) }
    func receiveWebhook(_ delivery: IncomingWebhook) async throws { try await webhooks.receiveWebhook(delivery) }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
