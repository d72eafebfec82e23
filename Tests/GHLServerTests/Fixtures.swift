import Foundation
import GHLAuth
import GHLServer
import GHLStore
import GHLStoreTestSupport
import GHLSync
import GRDB
import Hummingbird
import HummingbirdTesting
import Synchronization

/// Two sources with a few records each, and two users signed in through the
/// real auth service: `owner@example.com` owns both, `viewer@example.com`
/// only views the first. Both passwords are `Fixture.password`.
struct Fixture {
    let directory: URL
    let store: Store
    let auth: AuthService
    let first: Source
    let second: Source
    let sync = RecordingSync()
    let metrics = ServerMetrics()
    /// Access tokens of the two users.
    let owner: String
    let viewer: String

    static let password = "correct horse battery"
    /// The bearer token `/metrics` asks for in these tests.
    static let metricsToken = "metrics-test-token"
    /// scrypt at a test-friendly cost; the standard cost is GHLAuth's to test.
    static let cheapHasher = PasswordHasher(logRounds: 8, blockSize: 8, parallelism: 1)

    init() async throws {
        let temp = try TempStore("server")
        (directory, store) = (temp.directory, temp.store)
        auth = try await AuthService(store: store, hasher: Self.cheapHasher)
        first = try await temp.addSource(name: "Alpha Dental", locationId: "loc-alpha", tokenEnv: "ALPHA_TOKEN")
        second = try await temp.addSource(name: "Beta Gym", locationId: "loc-beta", tokenEnv: "BETA_TOKEN", currency: "EUR")
        try await store.upsert(.contacts, sourceId: first.id, records: [
            Self.contact("a1", first: "Ana", last: "Lopez", email: "ana@example.com", updated: "2024-05-01T10:00:00.000Z"),
            Self.contact("a2", first: "Bob", last: "Stone", email: "bob@example.com", updated: "2024-05-03T10:00:00.000Z"),
            Self.contact("a3", first: "Zoë", last: "Ångström", email: nil, updated: "2024-05-02T10:00:00.000Z"),
        ])
        try await store.upsert(.contacts, sourceId: second.id, records: [
            Self.contact("b1", first: "Secret", last: "Beta", email: "secret@beta.example", updated: "2024-05-04T10:00:00.000Z"),
        ])
        let ownerUser = try await auth.accounts.addUser(email: "owner@example.com", password: Self.password)
        let viewerUser = try await auth.accounts.addUser(email: "viewer@example.com", password: Self.password)
        try await auth.accounts.grant(.owner, to: ownerUser.id, on: first.id)
        try await auth.accounts.grant(.owner, to: ownerUser.id, on: second.id)
        try await auth.accounts.grant(.viewer, to: viewerUser.id, on: first.id)
        owner = try await auth.issueToken(for: ownerUser.id).accessToken
        viewer = try await auth.issueToken(for: viewerUser.id).accessToken
    }

    static func contact(_ id: String, first: String, last: String, email: String?, updated: String) -> EntityRecord {
        EntityRecord(ghlId: id, values: ["first_name": .text(first), "last_name": .text(last),
                                         "email": email.map(StoreValue.text) ?? .null],
                     raw: #"{"id":"\#(id)"}"#, ghlCreatedAt: updated, ghlUpdatedAt: updated)
    }

    /// The HTTP front over this file; `sync` replaces the recording engine.
    func front(sync: (any SyncService)? = nil) async throws -> HTTPFront {
        let store = store
        return await HTTPFront(authenticator: AuthServiceAuthenticator(auth: auth),
                         views: try ScopedViewReader(store: store, reader: ScopedReader(store: store)), sync: sync ?? self.sync,
                         metrics: metrics, healthCheck: { try await store.probe() },
                         metricsToken: Self.metricsToken)
    }

    /// Deletes the fixture's directory and the file in it.
    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` against the router in-process, then removes the fixture.
    func test(sync: (any SyncService)? = nil, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = await Application(router: try front(sync: sync).router())
        defer { remove() }
        try await app.test(.router, body)
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
