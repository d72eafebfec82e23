import Foundation
import GHLServer
import GHLStore
import GHLSync
import GRDB
import Hummingbird
import HummingbirdTesting
import Synchronization

/// Two sources with a few records each, and two users: `owner` owns both,
/// `viewer` only views the first. Tokens are `token-owner` and `token-viewer`.
struct Fixture {
    let directory: URL
    let store: Store
    let first: Source
    let second: Source
    let sync = RecordingSync()
    let metrics = ServerMetrics()

    static let owner = "token-owner"
    static let viewer = "token-viewer"

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlserver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("test.sqlite").path)
        first = try store.addSource(name: "Alpha Dental", locationId: "loc-alpha", tokenEnv: "ALPHA_TOKEN", tokenFile: nil)
        second = try store.addSource(name: "Beta Gym", locationId: "loc-beta", tokenEnv: "BETA_TOKEN", tokenFile: nil, currency: "EUR")
        try store.upsert(.contacts, sourceId: first.id, records: [
            Self.contact("a1", first: "Ana", last: "Lopez", email: "ana@example.com", updated: "2024-05-01T10:00:00.000Z"),
            Self.contact("a2", first: "Bob", last: "Stone", email: "bob@example.com", updated: "2024-05-03T10:00:00.000Z"),
            Self.contact("a3", first: "Zoë", last: "Ångström", email: nil, updated: "2024-05-02T10:00:00.000Z"),
        ])
        try store.upsert(.contacts, sourceId: second.id, records: [
            Self.contact("b1", first: "Secret", last: "Beta", email: "secret@beta.example", updated: "2024-05-04T10:00:00.000Z"),
        ])
    }

    static func contact(_ id: String, first: String, last: String, email: String?, updated: String) -> EntityRecord {
        EntityRecord(ghlId: id, values: ["first_name": first.databaseValue, "last_name": last.databaseValue,
                                         "email": email.databaseValue],
                     raw: #"{"id":"\#(id)"}"#, ghlCreatedAt: updated, ghlUpdatedAt: updated)
    }

    var authenticator: TokenTableAuthenticator {
        let grant = { (source: Source, role: Role) in
            SourceGrant(id: source.id, name: source.name, locationId: source.locationId, currency: source.currency, role: role)
        }
        return TokenTableAuthenticator(users: [
            Self.owner: RequestUser(id: "u-owner", email: "owner@example.com", sources: [grant(first, .owner), grant(second, .owner)]),
            Self.viewer: RequestUser(id: "u-viewer", email: "viewer@example.com", sources: [grant(first, .viewer)]),
        ])
    }

    func front() throws -> HTTPFront {
        let store = store
        return HTTPFront(authenticator: authenticator, views: try StoreViewReader(store: store), sync: sync,
                         metrics: metrics, healthCheck: { _ = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT 1") } })
    }

    /// Runs `body` against the router in-process.
    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: try front().router())
        try await app.test(.router, body)
        try FileManager.default.removeItem(at: directory)
    }
}

/// Access tokens looked up in a fixed table; passwords are "secret".
struct TokenTableAuthenticator: Authenticator {
    let users: [String: RequestUser]

    func signIn(email: String, password: String) async throws -> any Encodable & Sendable {
        guard password == "secret", let (token, user) = users.first(where: { $0.value.email == email }) else {
            throw APIError.badRequest("invalid login credentials")
        }
        return SessionTokens(accessToken: token, expiresIn: 3600, refreshToken: "refresh-\(token)",
                             user: .init(id: user.id, email: user.email))
    }

    func refresh(refreshToken: String) async throws -> any Encodable & Sendable {
        guard refreshToken.hasPrefix("refresh-"), let user = users[String(refreshToken.dropFirst(8))] else {
            throw APIError.badRequest("invalid refresh token")
        }
        return SessionTokens(accessToken: String(refreshToken.dropFirst(8)), expiresIn: 3600, refreshToken: refreshToken,
                             user: .init(id: user.id, email: user.email))
    }

    func user(accessToken: String) async throws -> RequestUser {
        guard let user = users[accessToken] else { throw APIError.unauthorized("invalid access token") }
        return user
    }
}

/// A sync engine that records what it was asked and answers fixed results.
final class RecordingSync: SyncService {
    let calls = Mutex<[String]>([])
    let webhooks = Mutex<[IncomingWebhook]>([])

    func runAll(_ request: SyncRequest) async throws -> RunAllResult {
        calls.withLock { $0.append("run-all \(request.sourceId) \(request.mode.rawValue)") }
        return RunAllResult(results: try Entity.allCases.map { entity in
            entity == .reviews
                ? try Self.result(#"{"entity":"reviews","ok":false,"count":0,"pages":0,"error":"GHL answered 503","skipped":0,"requests":1,"mode":"full"}"#)
                : try Self.result(#"{"entity":"\#(entity.rawValue)","ok":true,"count":10,"pages":1,"skipped":0,"requests":1,"mode":"full"}"#)
        })
    }

    func poll(_ entity: Entity, _ request: SyncRequest) async throws -> EntityResult {
        calls.withLock { $0.append("poll \(entity.rawValue) \(request.sourceId) \(request.mode.rawValue)") }
        return try Self.result(#"{"entity":"\#(entity.rawValue)","ok":true,"count":7,"pages":2,"skipped":0,"requests":2,"mode":"incremental"}"#)
    }

    /// GHLSync's results have no public memberwise init; they decode from the wire shape.
    static func result(_ json: String) throws -> EntityResult {
        try JSONDecoder().decode(EntityResult.self, from: Data(json.utf8))
    }

    func receiveWebhook(_ delivery: IncomingWebhook) async throws {
        guard delivery.headers["x-ghl-signature"] == "good" else { throw APIError.unauthorized("bad webhook signature") }
        webhooks.withLock { $0.append(delivery) }
    }
}

/// A signed-in session, in the shape Supabase Auth answers `/auth/v1/token` with.
struct SessionTokens: Sendable, Codable {
    var accessToken: String
    var tokenType: String
    var expiresIn: Int
    var refreshToken: String
    var user: SessionUser

    struct SessionUser: Sendable, Codable {
        var id: String
        var email: String
        init(id: String, email: String) { self.id = id; self.email = email }
    }

    init(accessToken: String, expiresIn: Int, refreshToken: String, user: SessionUser) {
        self.accessToken = accessToken
        self.tokenType = "bearer"
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case refreshToken = "refresh_token", user
    }
}

