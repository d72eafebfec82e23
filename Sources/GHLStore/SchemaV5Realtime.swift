import GRDB

extension Schema {
    /// `v5_realtime_access_version`: `auth_grants_version` also counts what ends
    /// a session's access (a revoked or deleted session, a deleted user), so
    /// open realtime channels, which poll it, are re-checked at once whoever
    /// wrote the change (the server's logout, `ghlsync users` in another
    /// process, the sqlite3 CLI). A refresh's rotation does not count.
    static func countSessionEnds(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TRIGGER auth_sessions_version_revoke AFTER UPDATE OF revoked_at ON auth_sessions
            WHEN NEW.revoked_at IS NOT OLD.revoked_at
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            CREATE TRIGGER auth_sessions_version_delete AFTER DELETE ON auth_sessions
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            CREATE TRIGGER users_version_delete AFTER DELETE ON users
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            """)
    }
}
