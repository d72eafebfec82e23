/// `pg_v3_auth`, frozen: what sign-in and open channels need beyond v1's
/// `users`, `user_sources` and `auth_sessions`, as the SQLite file has it
/// (`v3_auth`, `v5_realtime_access_version`).
///
/// - `auth_grants_version` moves on every change to a grant and on whatever
///   ends a session's access (a revoked or deleted session, a deleted user),
///   whoever writes it; open realtime channels poll it. Statement triggers, so
///   a statement touching many rows moves it once. A refresh's rotation does not count.
/// - `ghlsync_signing_key` holds the key that signs access tokens, so every
///   `serve` on the database signs and verifies alike. No grant and no
///   policy: only the owning role reads it, never `ghlsync_user`.
enum PostgresSchemaV3Auth {
    static let statements: [String] = [
        """
        CREATE TABLE auth_grants_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version BIGINT NOT NULL
        )
        """,
        "INSERT INTO auth_grants_version (id, version) VALUES (1, 0)",
        """
        CREATE FUNCTION ghlsync_bump_grants_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE auth_grants_version SET version = version + 1 WHERE id = 1;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER user_sources_version AFTER INSERT OR UPDATE OR DELETE ON user_sources
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        """
        CREATE TRIGGER auth_sessions_version_revoke AFTER UPDATE OF revoked_at ON auth_sessions
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        """
        CREATE TRIGGER auth_sessions_version_delete AFTER DELETE ON auth_sessions
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        """
        CREATE TRIGGER users_version_delete AFTER DELETE ON users
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        "ALTER TABLE auth_grants_version ENABLE ROW LEVEL SECURITY",
        """
        CREATE TABLE ghlsync_signing_key (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            contents TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """,
        "ALTER TABLE ghlsync_signing_key ENABLE ROW LEVEL SECURITY",
    ]
}
