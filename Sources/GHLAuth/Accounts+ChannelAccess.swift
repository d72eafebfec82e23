import GRDB

extension Accounts {
    /// Whether an open realtime channel may stay open: the user exists and
    /// holds the source, and the session (when given) is not revoked. One read,
    /// the same facts a REST request checks on its next call.
    public func stillHolds(userId: String, sourceId: String, sessionId: String?) throws -> Bool {
        try store.pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM user_sources g JOIN users u ON u.id = g.user_id
                WHERE g.user_id = ?1 AND g.source_id = ?2 AND (?3 IS NULL OR EXISTS (
                    SELECT 1 FROM auth_sessions s WHERE s.id = ?3 AND s.user_id = ?1 AND s.revoked_at IS NULL))
                """, arguments: [userId, sourceId, sessionId]) ?? false
        }
    }
}
