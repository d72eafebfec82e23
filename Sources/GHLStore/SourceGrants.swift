import Foundation
import GRDB

/// The `user_sources` table: who may use which source, with which role
/// (`owner`, `editor`, `viewer`; GHLAuth's `Role` gives them meaning).
extension Store {
    /// Gives the user `role` on the source, replacing any role they had there.
    /// False when the user does not exist; `StoreError.unknownSource` when the source does not.
    public func setGrant(_ role: String, userId: String, sourceId: String) async throws -> Bool {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userId]) == true else { return false }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM ghl_sources WHERE id = ?", arguments: [sourceId]) == true else {
                throw StoreError.unknownSource(sourceId)
            }
            try db.execute(sql: """
                INSERT INTO user_sources (user_id, source_id, role, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id, source_id) DO UPDATE SET role = excluded.role WHERE role <> excluded.role
                """, arguments: [userId, sourceId, role, Timestamp.string()])
            return true
        }
    }

    /// Removes the user's grant on the source; false when there was none.
    public func removeGrant(userId: String, sourceId: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM user_sources WHERE user_id = ? AND source_id = ?", arguments: [userId, sourceId])
            return db.changesCount > 0
        }
    }

    /// A number that changes whenever any grant changes, a session is revoked
    /// or deleted, or a user is deleted, in any process (triggers keep it).
    /// Long-lived connections poll it (one point read) and re-check their
    /// user's access when it moved; `AccessScopes` keys its cache by it.
    public func grantsVersion() async throws -> Int64 {
        try await pool.read { try Self.grantsVersion($0) }
    }

    static func grantsVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT version FROM auth_grants_version WHERE id = 1") ?? 0
    }

    /// Whether an open realtime channel may stay open: the user exists and
    /// holds the source, and the session (when given) is not revoked. One read,
    /// the same facts a REST request checks on its next call.
    public func stillHolds(userId: String, sourceId: String, sessionId: String?) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM user_sources g JOIN users u ON u.id = g.user_id
                WHERE g.user_id = ?1 AND g.source_id = ?2 AND (?3 IS NULL OR EXISTS (
                    SELECT 1 FROM auth_sessions s WHERE s.id = ?3 AND s.user_id = ?1 AND s.revoked_at IS NULL))
                """, arguments: [userId, sourceId, sessionId]) ?? false
        }
    }
}
