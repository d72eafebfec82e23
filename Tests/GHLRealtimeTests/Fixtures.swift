import Foundation
import GHLPostgres
import GHLPostgresTestSupport
import GHLRealtime
import GHLServer
@testable import GHLStore
import GHLStoreTestSupport
import GRDB
import Logging
import Synchronization

/// A database of `engine` with two sources, wired to a bus as the server
/// wires it: a temp file whose change log the bus follows, or a new database
/// on the test process's PostgreSQL cluster whose `ghlsync_changes` the
/// server's change feed follows (its history included).
struct StoreFixture {
    let engine: Engine
    let bus: TopicBus
    let sourceA: String
    let sourceB: String
    private let database: Database

    private enum Database {
        case sqlite(directory: URL, store: Store)
        case postgres(PostgresStore, database: String, feed: Task<Void, any Error>)
    }

    init(_ engine: Engine = .sqlite, bus: TopicBus = TopicBus(firstSeq: 1)) async throws {
        self.engine = engine
        self.bus = bus
        switch engine {
        case .sqlite:
            let temp = try TempStore("realtime")
            sourceA = try await temp.addSource(name: "A", locationId: "loc-a", tokenEnv: "GHL_TOKEN_A").id
            sourceB = try await temp.addSource(name: "B", locationId: "loc-b", tokenEnv: "GHL_TOKEN_B").id
            database = .sqlite(directory: temp.directory, store: temp.store)
            try await bus.follow(temp.store)
        case .postgres:
            let url = try PostgresCluster.shared().createDatabase("realtime")
            let store = try PostgresStore(url: PostgresURL(url))
            try await store.migrate()
            (sourceA, sourceB) = ("src-a-" + UUID().uuidString.lowercased(), "src-b-" + UUID().uuidString.lowercased())
            try await store.addSource(id: sourceA, name: "A", locationId: "loc-a")
            try await store.addSource(id: sourceB, name: "B", locationId: "loc-b")
            let service = try await PostgresChangeFeedService.following(store, into: bus, bounds: ChangeLogBounds(),
                                                                        logger: Logger(label: "test"))
            database = .postgres(store, database: String(url.split(separator: "/").last!), feed: Task { try await service.run() })
        }
    }

    /// The file's store and its folder, for the tests of what only the file has.
    var store: Store { file.store }
    var directory: URL { file.directory }

    private var file: (directory: URL, store: Store) {
        guard case .sqlite(let directory, let store) = database else { preconditionFailure("a file-only test ran on \(engine)") }
        return (directory, store)
    }

    func remove() {
        switch database {
        case .sqlite(let directory, _): try? FileManager.default.removeItem(at: directory)
        case .postgres(let store, _, let feed):
            feed.cancel()
            Task { _ = try? await feed.value; await store.close() }
        }
    }

    static func contact(_ id: String, name: String) -> EntityRecord {
        EntityRecord(ghlId: id, values: [:], raw: #"{"firstName":"\#(name)","id":"\#(id)"}"#,
                     ghlCreatedAt: "2024-01-01T00:00:00.000Z", ghlUpdatedAt: nil)
    }

    /// Upserts contacts of `source` (id, first name), one commit.
    func upsert(_ source: String, _ records: [(String, String)]) async throws {
        try await upsert(source, records: records.map { Self.contact($0.0, name: $0.1) })
    }

    /// Upserts `records` as contacts of `source`, one commit, as the sync and the webhook intake store them.
    func upsert(_ source: String, records: [EntityRecord]) async throws {
        switch database {
        case .sqlite(_, let store): try await store.upsert(.contacts, sourceId: source, records: records)
        case .postgres(let store, _, _): try await store.upsert(.contacts, sourceId: source, records: records)
        }
    }

    /// Returns once the bus has published every change committed so far.
    func settle() async throws {
        switch database {
        case .sqlite(_, let store): try await store.pollChanges()
        case .postgres(let store, _, _):
            let committed = try await PostgresChangeFeed(store: store).position()
            let deadline = ContinuousClock.now + .seconds(60)
            while committed.contains(where: { bus.lastSeq(of: "ghl:\($0.key)") < $0.value }) {
                guard ContinuousClock.now < deadline else { throw TestFailure("the feed did not reach \(committed)") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Prunes the database's change log to its newest `rows`, as `serve` prunes it to its bounds.
    func pruneChangeLog(keeping rows: Int) async throws {
        let bounds = ChangeLogBounds(maxRows: rows)
        switch database {
        case .sqlite(_, let store):
            try await store.setChangeLogBounds(bounds)
            _ = try await store.pruneChangeLog()
        case .postgres(let store, _, _): _ = try await store.pruneChanges(bounds)
        }
    }

    /// The one integer `sql` (SQL both engines read alike) selects.
    func count(_ sql: String) async throws -> Int? {
        switch database {
        case .sqlite(_, let store): try await store.pool.read { try Int.fetchOne($0, sql: sql) }
        case .postgres(_, let name, _):
            Int(try PostgresCluster.shared().psql(database: name, script: sql).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Runs `sql` (SQL both engines read alike) in one transaction, as another writer of the database would.
    func execute(_ sql: String) async throws {
        switch database {
        case .sqlite(_, let store): try await store.pool.base.write { try $0.execute(sql: sql) }
        case .postgres(_, let name, _): _ = try PostgresCluster.shared().psql(database: name, script: sql)
        }
    }
}

/// The change payload a subscriber receives, decoded for assertions.
struct ReceivedChange: Decodable, Equatable {
    var table: String
    var operation: String
    var seq: Int64
    var source_id: String
    var timestamp: String
    var new: Row?
    var old: Row?

    struct Row: Decodable, Equatable {
        var ghl_contact_id: String?
        var raw: Raw?
        struct Raw: Decodable, Equatable { var firstName: String? }
    }

    init(_ event: TopicEvent) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(event.payload.readableBytesView))
    }
}

/// Tokens `token-<user>` belong to `<user>` in session `session-<user>`;
/// `expired-<user>` are refused as expired.
final class TestAuthorizer: ChannelAuthorizer {
    private let grants: Mutex<Set<String>>
    private let endedSessions = Mutex<Set<String>>([])
    private let version = Mutex<Int64>(0)

    init(grants: [(user: String, source: String)]) {
        self.grants = Mutex(Set(grants.map { $0.user + "/" + $0.source }))
    }

    func revoke(user: String, source: String) {
        _ = grants.withLock { $0.remove(user + "/" + source) }
        version.withLock { $0 += 1 }
    }

    /// Ends the user's session, as a logout or a replayed refresh token does.
    func endSession(of user: String) {
        _ = endedSessions.withLock { $0.insert("session-" + user) }
        version.withLock { $0 += 1 }
    }

    func authorize(accessToken: String, sourceId: String) async throws -> ChannelGrant {
        if accessToken.hasPrefix("expired-") { throw ChannelAuthorizationError.expiredToken }
        guard accessToken.hasPrefix("token-") else { throw ChannelAuthorizationError.invalidToken }
        let user = String(accessToken.dropFirst("token-".count))
        let grant = ChannelGrant(userId: user, sessionId: "session-" + user, expiresAt: nil)
        guard await stillAuthorized(grant, sourceId: sourceId) else {
            throw ChannelAuthorizationError.noAccess(sourceId: sourceId)
        }
        return grant
    }

    func stillAuthorized(_ grant: ChannelGrant, sourceId: String) async -> Bool {
        !endedSessions.withLock { $0.contains(grant.sessionId ?? "") }
            && grants.withLock { $0.contains(grant.userId + "/" + sourceId) }
    }

    func accessVersion() async -> Int64? { version.withLock { $0 } }
}
