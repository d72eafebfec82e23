/// `pg_v3_auth`, frozen: what sign-in and open channels need beyond v1's
/// `users`, `user_sources` and `auth_sessions`, as the SQLite file has it
/// (`v3_auth`, `v5_realtime_access_version`).
///
/// - `auth_grants_version` moves on every change to a grant and on whatever
///   ends a session's access (a revoked or deleted session, a deleted user),
///   whoever writes it; open realtime channels poll it. Statement triggers, so
///   a statement touching many rows moves it once; one that changes no row
///   (a grant already held) does not move it, nor does a refresh's rotation.
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
        // Statement triggers fire even when no row changed (an upsert that
        // changes nothing, a revoke of no live session): the statement's rows
        // (its transition table, `changed`) decide.
        """
        CREATE FUNCTION ghlsync_bump_grants_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM changed) THEN
                UPDATE auth_grants_version SET version = version + 1 WHERE id = 1;
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE FUNCTION ghlsync_bump_grants_version_on_revoke() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.revoked_at IS DISTINCT FROM o.revoked_at) THEN
                UPDATE auth_grants_version SET version = version + 1 WHERE id = 1;
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER user_sources_version_insert AFTER INSERT ON user_sources REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        """
        CREATE TRIGGER user_sources_version_update AFTER UPDATE ON user_sources REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        """
        CREATE TRIGGER user_sources_version_delete AFTER DELETE ON user_sources REFERENCING OLD TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        """
        CREATE TRIGGER auth_sessions_version_revoke AFTER UPDATE ON auth_sessions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version_on_revoke()
        """,
        """
        CREATE TRIGGER auth_sessions_version_delete AFTER DELETE ON auth_sessions REFERENCING OLD TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION ghlsync_bump_grants_version()
        """,
        """
        CREATE TRIGGER users_version_delete AFTER DELETE ON users REFERENCING OLD TABLE AS changed
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
