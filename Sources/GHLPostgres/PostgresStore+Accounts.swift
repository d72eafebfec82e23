import GHLStore
import PostgresNIO

/// Users, sessions, grants and the signing key on PostgreSQL: the
/// `AccountStore` GHLAuth signs in with, the same operations as the SQLite
/// file's. They run as the connecting role (the service role, which RLS does
/// not restrict); emails compare without case, as `idx_users_email` indexes them.
extension PostgresStore: AccountStore, AccessScopeSource {
    public func insertUser(_ user: User, passwordHash: String?) async throws -> Bool {
        do {
            try await client.query("""
                INSERT INTO users (id, email, password_hash, created_at)
                VALUES (\(user.id), \(user.email), \(passwordHash), \(user.createdAt)::timestamptz)
                """, logger: logger)
            return true
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return false
        }
    }

    public func user(email: String) async throws -> User? {
        try await users(where: "lower(users.email) = lower($1)", email).first?.user
    }

    public func user(id: String) async throws -> User? {
        try await users(where: "users.id = $1", id).first?.user
    }

    public func userWithPasswordHash(email: String) async throws -> (user: User, passwordHash: String?)? {
        try await users(where: "lower(users.email) = lower($1)", email).first
    }

    public func usersWithGrants() async throws -> [(user: User, grants: [String: String])] {
        let users = try await users(where: "true").map(\.user)
        var grants: [String: [String: String]] = [:]
        for try await (userId, sourceId, role) in try await client.query(
            "SELECT user_id, source_id, role FROM user_sources", logger: logger).decode((String, String, String).self) {
            grants[userId, default: [:]][sourceId] = role
        }
        return users.map { ($0, grants[$0.id] ?? [:]) }
    }

    public func userOfLiveSession(_ sessionId: String, userId: String) async throws -> User? {
        try await users(where: """
            users.id = $2 AND EXISTS (SELECT 1 FROM auth_sessions s WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL)
            """, sessionId, userId).first?.user
    }

    public func insertSession(id: String, userId: String, tokenHash: String, createdAt: String, expiresAt: String) async throws {
        try await client.query("""
            INSERT INTO auth_sessions (id, user_id, token_hash, created_at, expires_at)
            VALUES (\(id), \(userId), \(tokenHash), \(createdAt)::timestamptz, \(expiresAt)::timestamptz)
            """, logger: logger)
    }

    public func rotateRefreshToken(presented: String, next: String, now: String) async throws -> (sessionId: String, userId: String)? {
        try await client.withTransaction(logger: logger) { connection in
            for try await stolen in try await connection.query(
                "SELECT id FROM auth_sessions WHERE previous_token_hash = \(presented)", logger: logger).decode(String.self) {
                try await connection.query("""
                    UPDATE auth_sessions SET revoked_at = \(now)::timestamptz WHERE id = \(stolen) AND revoked_at IS NULL
                    """, logger: logger)
                return nil
            }
            var found: (sessionId: String, userId: String)?
            for try await (sessionId, userId) in try await connection.query("""
                SELECT id, user_id FROM auth_sessions
                WHERE token_hash = \(presented) AND revoked_at IS NULL AND expires_at > \(now)::timestamptz FOR UPDATE
                """, logger: logger).decode((String, String).self) {
                found = (sessionId, userId)
            }
            guard let found else { return nil }
            try await connection.query("""
                UPDATE auth_sessions SET token_hash = \(next), previous_token_hash = \(presented) WHERE id = \(found.sessionId)
                """, logger: logger)
            return found
        }
    }

    public func revokeSessions(of userId: String, _ selection: Store.SessionSelection, at now: String) async throws {
        let query: PostgresQuery = switch selection {
        case .only(let sessionId): """
            UPDATE auth_sessions SET revoked_at = \(now)::timestamptz WHERE id = \(sessionId) AND user_id = \(userId) AND revoked_at IS NULL
            """
        case .all: """
            UPDATE auth_sessions SET revoked_at = \(now)::timestamptz WHERE user_id = \(userId) AND revoked_at IS NULL
            """
        case .allExcept(let sessionId): """
            UPDATE auth_sessions SET revoked_at = \(now)::timestamptz WHERE user_id = \(userId) AND id <> \(sessionId) AND revoked_at IS NULL
            """
        }
        try await client.query(query, logger: logger)
    }

    public func setGrant(_ role: String, userId: String, sourceId: String) async throws -> Bool {
        try await transaction { connection in   // the unknown source thrown as the file says it
            guard try await exists("SELECT 1 FROM users WHERE id = \(userId)", on: connection) else { return false }
            guard try await exists("SELECT 1 FROM ghl_sources WHERE id = \(sourceId)", on: connection) else {
                throw StoreError.unknownSource(sourceId)
            }
            try await connection.query("""
                INSERT INTO user_sources (user_id, source_id, role) VALUES (\(userId), \(sourceId), \(role))
                ON CONFLICT (user_id, source_id) DO UPDATE SET role = excluded.role WHERE user_sources.role <> excluded.role
                """, logger: logger)
            return true
        }
    }

    public func removeGrant(userId: String, sourceId: String) async throws -> Bool {
        try await exists("DELETE FROM user_sources WHERE user_id = \(userId) AND source_id = \(sourceId) RETURNING 1")
    }

    public func accessScope(of userId: String) async throws -> AccessScope {
        var grants: [AccessScope.Grant] = []
        for try await (id, name, location, currency, role) in try await client.query("""
            SELECT s.id, s.name, s.location_id, s.currency, g.role
            FROM user_sources g JOIN ghl_sources s ON s.id = g.source_id
            WHERE g.user_id = \(userId) ORDER BY s.created_at, s.id
            """, logger: logger).decode((String, String, String, String, String).self) {
            grants.append(AccessScope.Grant(sourceId: id, name: name, locationId: location, currency: currency, role: role))
        }
        return AccessScope(userId: userId, grants: grants)
    }

    /// Read afresh each time: the database is shared with other servers, so there is no cache to keep.
    public func scope(of userId: String) async throws -> AccessScope {
        try await accessScope(of: userId)
    }

    /// Two queries, not one snapshot: a grant changed between them is seen by the next request.
    public func liveSession(_ sessionId: String, userId: String) async throws -> (user: User, scope: AccessScope)? {
        guard let user = try await userOfLiveSession(sessionId, userId: userId) else { return nil }
        return (user, try await accessScope(of: userId))
    }

    public func requestScopes() -> any AccessScopeSource { self }

    public func grantsVersion() async throws -> Int64 {
        for try await version in try await client.query(
            "SELECT version FROM auth_grants_version WHERE id = 1", logger: logger).decode(Int64.self) {
            return version
        }
        return 0
    }

    public func stillHolds(userId: String, sourceId: String, sessionId: String?) async throws -> Bool {
        try await exists("""
            SELECT 1 FROM user_sources g JOIN users u ON u.id = g.user_id
            WHERE g.user_id = \(userId) AND g.source_id = \(sourceId) AND (\(sessionId)::text IS NULL OR EXISTS (
                SELECT 1 FROM auth_sessions s WHERE s.id = \(sessionId) AND s.user_id = \(userId) AND s.revoked_at IS NULL))
            """)
    }

    public var keyFileBase: String? { nil }

    public func sharedSigningKey(candidate: String) async throws -> String? {
        try await client.query("INSERT INTO ghlsync_signing_key (id, contents) VALUES (1, \(candidate)) ON CONFLICT (id) DO NOTHING",
                               logger: logger)
        for try await contents in try await client.query(
            "SELECT contents FROM ghlsync_signing_key WHERE id = 1", logger: logger).decode(String.self) {
            return contents
        }
        return nil
    }

    // MARK: Helpers

    /// The users matching `condition` (parameters `$1`... bound from `values`), by email, with their password hashes.
    private func users(where condition: String, _ values: String...) async throws -> [(user: User, passwordHash: String?)] {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT users.id, users.email, \(Self.timestampText("users.created_at")), users.password_hash,
                   \(Self.timestampText("(SELECT max(l.created_at) FROM auth_sessions l WHERE l.user_id = users.id)"))
            FROM users WHERE \(condition) ORDER BY users.email
            """, binds: bindings), logger: logger)
        var found: [(user: User, passwordHash: String?)] = []
        for try await (id, email, created, hash, lastSignIn) in rows.decode((String, String, String, String?, String?).self) {
            found.append((User(id: id, email: email, createdAt: created, lastSignInAt: lastSignIn, hasPassword: hash != nil), hash))
        }
        return found
    }

    private func exists(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> Bool {
        let rows = if let connection { try await connection.query(query, logger: logger) } else { try await client.query(query, logger: logger) }
        for try await _ in rows { return true }
        return false
    }
}
