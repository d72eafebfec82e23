import GRDB

extension Schema {
    /// `v3_auth`: what access control needs beyond v2's users and sessions.
    ///
    /// - `auth_grants_version` counts changes to `user_sources`, kept by
    ///   triggers so that every writer counts (`ghlsync users revoke` in
    ///   another process, a cascade from a deleted source, the sqlite3 CLI).
    ///   Long-lived connections poll it to learn, with one point read, that
    ///   grants changed and must be checked again.
    /// - `auth_sessions.previous_token_hash` remembers the refresh token a
    ///   rotation replaced, so a replayed one is recognised as stolen and ends
    ///   the session (as Supabase Auth's reuse detection does).
    static func createAuthTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE auth_grants_version (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            );
            INSERT INTO auth_grants_version (id, version) VALUES (1, 0);
            CREATE TRIGGER user_sources_version_insert AFTER INSERT ON user_sources
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            CREATE TRIGGER user_sources_version_update AFTER UPDATE ON user_sources
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            CREATE TRIGGER user_sources_version_delete AFTER DELETE ON user_sources
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            ALTER TABLE auth_sessions ADD COLUMN previous_token_hash TEXT;
            CREATE INDEX idx_auth_sessions_previous ON auth_sessions(previous_token_hash);
            """)
    }
}
