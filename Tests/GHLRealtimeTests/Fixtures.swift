import Foundation
import GHLRealtime
import GHLStore
import GHLStoreTestSupport
import Synchronization

/// A temp-file store with two sources, wired to a bus as the server wires it.
struct StoreFixture {
    let directory: URL
    let store: Store
    let bus: TopicBus
    let sourceA: String
    let sourceB: String

    init(bus: TopicBus = TopicBus(firstSeq: 1)) async throws {
        let temp = try TempStore("realtime")
        (directory, store) = (temp.directory, temp.store)
        sourceA = try await temp.addSource(name: "A", locationId: "loc-a", tokenEnv: "GHL_TOKEN_A").id
        sourceB = try await temp.addSource(name: "B", locationId: "loc-b", tokenEnv: "GHL_TOKEN_B").id
        self.bus = bus
        try await bus.follow(store)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    static func contact(_ id: String, name: String) -> EntityRecord {
        EntityRecord(ghlId: id, values: [:], raw: #"{"firstName":"\#(name)","id":"\#(id)"}"#,
                     ghlCreatedAt: "2024-01-01T00:00:00.000Z", ghlUpdatedAt: nil)
    }

    /// Upserts contacts of `source`, one commit.
    func upsert(_ source: String, _ records: [(String, String)]) async throws {
        try await store.upsert(.contacts, sourceId: source, records: records.map { Self.contact($0.0, name: $0.1) })
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
