import Foundation
import GHLAuth
import GHLRealtime
import GHLServer
@testable import GHLStore
import GRDB
import Testing

/// Sources A and B, real auth, and three users: Alice views A, Carol owns A
/// and B, Mallory holds nothing. The attacker's socket is Alice's; what must
/// never reach it is anything of B (its id, its rows, its presence).
struct AttackWorld {
    let fixture: StoreFixture
    let auth: AuthService
    let alice: User
    let carol: User
    let mallory: User
    let aliceToken: String
    /// Carol's session, with its refresh token.
    let carolSession: AuthSession
    let malloryToken: String
    /// Text that only B's rows carry.
    static let secret = "secret-of-b"

    var a: String { fixture.sourceA }
    var b: String { fixture.sourceB }

    init() async throws {
        fixture = try await StoreFixture()
        auth = try await AuthService(store: fixture.store, hasher: PasswordHasher(logRounds: 8, blockSize: 8, parallelism: 1))
        alice = try await auth.accounts.addUser(email: "alice@example.com")
        carol = try await auth.accounts.addUser(email: "carol@example.com")
        mallory = try await auth.accounts.addUser(email: "mallory@example.com")
        try await auth.accounts.grant(.viewer, to: alice.id, on: fixture.sourceA)
        try await auth.accounts.grant(.owner, to: carol.id, on: fixture.sourceA)
        try await auth.accounts.grant(.owner, to: carol.id, on: fixture.sourceB)
        aliceToken = try await auth.issueToken(for: alice.id).accessToken
        carolSession = try await auth.issueToken(for: carol.id)
        malloryToken = try await auth.issueToken(for: mallory.id).accessToken
        try await fixture.upsert(fixture.sourceB, [("b-before", Self.secret)])
    }

    var authorizer: AuthChannelAuthorizer { AuthChannelAuthorizer(auth: auth) }

    func remove() { fixture.remove() }

    /// Ends Carol's session, as her logout does.
    func signOutCarol() async throws {
        let claims = try await auth.verify(accessToken: carolSession.accessToken)
        try await auth.signOut(userId: carol.id, sessionId: claims.sessionId, scope: .local)
    }

    func deleteCarol() throws {
        try fixture.store.pool.base.write { db in try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [carol.id]) }
    }

    /// A token signed by another key (another server's, or an attacker's).
    func tokenFromAnotherKey(for user: User) async throws -> String {
        let keyFile = fixture.directory.appendingPathComponent("attacker.keys").path
        let other = try await AuthService(store: fixture.store, keyFile: keyFile, hasher: PasswordHasher(logRounds: 8, blockSize: 8, parallelism: 1))
        return try await other.issueToken(for: user.id).accessToken
    }

    /// A correctly signed token that expired a minute ago.
    func expiredToken(for user: User) async throws -> String {
        let past = try await AuthService(store: fixture.store, hasher: PasswordHasher(logRounds: 8, blockSize: 8, parallelism: 1),
                                         accessTokenLifetime: -60)
        return try await past.issueToken(for: user.id).accessToken
    }

    /// Joins A as Alice on `client`, then commits a change of B and a marker
    /// change of A: everything up to the marker must be free of B.
    func expectNothingOfBReaches(_ client: inout PhoenixTestClient, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await client.join(a, token: aliceToken, ref: "leak-check")
        var texts = try await client.receiveTexts(until: { $0.ref == "leak-check" })
        #expect(PhoenixMessage.lastStatus(texts) == "ok", "the attacker could no longer join their own source", sourceLocation: sourceLocation)
        let marker = "marker-\(UUID().uuidString)"
        try await fixture.upsert(b, [("b-\(UUID().uuidString)", Self.secret)])
        try await fixture.upsert(a, [(marker, "a change")])
        texts += try await client.receiveTexts(until: { $0.change?["new"]?["ghl_contact_id"]?.stringValue == marker })
        let leaked = texts.filter { $0.contains(b) || $0.contains(Self.secret) }
        #expect(leaked.isEmpty, "B reached the attacker: \(leaked)", sourceLocation: sourceLocation)
    }

    /// The server answers normally: a fresh connection joins A and receives its change.
    func expectServerAnswersNormally(port: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await PhoenixTestClient.connect(port: port, query: "vsn=2.0.0", version: .v2) { client in
            try await client.heartbeat(ref: "hb")
            #expect(try await client.receive().ref == "hb", sourceLocation: sourceLocation)
            try await expectNothingOfBReaches(&client, sourceLocation: sourceLocation)
        }
    }
}

extension PhoenixTestClient {
    /// Frames as text until one, decoded, satisfies `stop`, that one last.
    mutating func receiveTexts(until stop: (PhoenixMessage) -> Bool) async throws -> [String] {
        var texts: [String] = []
        while true {
            let text = try await receiveText()
            texts.append(text)
            if stop(try PhoenixMessage.decode(text)) { return texts }
        }
    }

    /// Whether the server ended the connection (a close, or the stream ending) before any other frame.
    mutating func isClosedByServer() async -> Bool {
        do {
            while true {
                guard let message = try await iterator.next() else { return true }
                if case .text = message { return false }
            }
        } catch {
            return true
        }
    }
}

extension PhoenixMessage {
    /// The status of the last reply among `texts`.
    static func lastStatus(_ texts: [String]) -> String? {
        texts.last.flatMap { try? PhoenixMessage.decode($0) }?.status
    }
}
