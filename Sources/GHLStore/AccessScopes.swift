import Foundation
import GRDB
import Synchronization

extension Store {
    /// The user's scope now: their grants with their sources, in the store's
    /// order of sources. One read of the user's own grants, not of every source.
    public func accessScope(of userId: String) async throws -> AccessScope {
        try await pool.read { try Self.accessScope(of: userId, $0) }
    }

    static func accessScope(of userId: String, _ db: Database) throws -> AccessScope {
        let grants = try Row.fetchAll(db, sql: """
            SELECT s.id, s.name, s.location_id, s.currency, g.role
            FROM user_sources g JOIN ghl_sources s ON s.id = g.source_id
            WHERE g.user_id = ? ORDER BY s.created_at, s.id
            """, arguments: [userId]).map {
            AccessScope.Grant(sourceId: $0["id"], name: $0["name"], locationId: $0["location_id"], currency: $0["currency"], role: $0["role"])
        }
        return AccessScope(userId: userId, grants: grants)
    }
}

/// Access scopes for a server's requests, read once per request and kept
/// while `auth_grants_version` stands still.
///
/// That version moves on every change to a grant in any process (a source's
/// deletion cascades to its grants, so it counts too), and a source's name,
/// location and currency never change, so a cached scope is the one a fresh
/// read would build. A request then costs one point read instead of reading
/// the user's grants and sources.
public final class AccessScopes: Sendable {
    public let store: Store
    /// The version the cached scopes belong to, and the scopes by user id.
    private let cache = Mutex<(version: Int64, scopes: [String: AccessScope])>((-1, [:]))
    /// Past this many users the cache starts over rather than grow without bound.
    private let capacity: Int

    public init(store: Store, capacity: Int = 4096) {
        self.store = store
        self.capacity = capacity
    }

    /// The user's scope as of now.
    public func scope(of userId: String) async throws -> AccessScope {
        try await store.pool.read { try self.scope(of: userId, $0) }
    }

    /// The user of a live (not revoked) session with their scope as of now, or
    /// nil: a request's whole access check in one read, as each trip to the
    /// pool's readers and back costs a request more than the point reads themselves.
    public func liveSession(_ sessionId: String, userId: String) async throws -> (user: User, scope: AccessScope)? {
        try await store.pool.shortRead { db in
            guard let user = try Store.userOfLiveSession(sessionId, userId: userId, db) else { return nil }
            return (user, try self.scope(of: userId, db))
        }
    }

    private func scope(of userId: String, _ db: Database) throws -> AccessScope {
        let now = try Store.grantsVersion(db)
        if let hit = cache.withLock({ $0.version == now ? $0.scopes[userId] : nil }) { return hit }
        // Read in the same transaction as `now`, so it is the scope of that version.
        let scope = try Store.accessScope(of: userId, db)
        cache.withLock {
            if $0.version != now || $0.scopes.count >= capacity { $0 = (now, [:]) }
            $0.scopes[userId] = scope
        }
        return scope
    }
}
