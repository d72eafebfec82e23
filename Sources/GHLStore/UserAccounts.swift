import Foundation
import GRDB

/// A user account, without its credentials.
public struct User: Sendable, Equatable, Hashable {
    public var id: String
    public var email: String
    public var createdAt: String
    /// When the user last started a session, if ever.
    public var lastSignInAt: String?
    /// Whether the user can sign in with a password (else only with tokens from `ghlsync users token`).
    public var hasPassword: Bool

    public init(id: String, email: String, createdAt: String, lastSignInAt: String?, hasPassword: Bool) {
        self.id = id
        self.email = email
        self.createdAt = createdAt
        self.lastSignInAt = lastSignInAt
        self.hasPassword = hasPassword
    }
}

/// The `users` table: GHLAuth decides what is valid (emails, password
/// hashes); the store keeps it. Emails compare without case (`COLLATE NOCASE`).
extension Store {
    /// Inserts the user with its password hash (nil: token-only); false when
    /// another user has the email.
    public func insertUser(_ user: User, passwordHash: String?) async throws -> Bool {
        do {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [user.id, user.email, passwordHash, user.createdAt])
            }
            return true
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            return false
        }
    }

    public func user(email: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE email = ?", arguments: [email]).map(Self.user)
        }
    }

    public func user(id: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE id = ?", arguments: [id]).map(Self.user)
        }
    }

    /// The user with this email and their stored password hash (nil for a token-only user).
    public func userWithPasswordHash(email: String) async throws -> (user: User, passwordHash: String?)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns), password_hash FROM users WHERE email = ?", arguments: [email])
                .map { (Self.user($0), $0["password_hash"]) }
        }
    }

    /// Every user by email, with their grants (source id to role, as `user_sources.role` stores it).
    public func usersWithGrants() async throws -> [(user: User, grants: [String: String])] {
        try await pool.read { db in
            let users = try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM users ORDER BY email").map(Self.user)
            var grants: [String: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT user_id, source_id, role FROM user_sources") {
                grants[row["user_id"], default: [:]][row["source_id"]] = row["role"]
            }
            return users.map { ($0, grants[$0.id] ?? [:]) }
        }
    }

    /// The user a live (not revoked) session belongs to, or nil.
    public func userOfLiveSession(_ sessionId: String, userId: String) async throws -> User? {
        try await pool.read { try Self.userOfLiveSession(sessionId, userId: userId, $0) }
    }

    static func userOfLiveSession(_ sessionId: String, userId: String, _ db: Database) throws -> User? {
        try Row.fetchOne(db, sql: """
            SELECT \(Self.userColumns) FROM auth_sessions s JOIN users ON users.id = s.user_id
            WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL
            """, arguments: [sessionId, userId]).map(Self.user)
    }

    private static func user(_ row: Row) -> User {
        User(id: row["id"], email: row["email"], createdAt: row["created_at"], lastSignInAt: row["last_sign_in_at"],
             hasPassword: row["has_password"])
    }

    /// The columns `user(_:)` reads, from `users`.
    private static let userColumns = """
        users.id, users.email, users.created_at, users.password_hash IS NOT NULL AS has_password,
        (SELECT MAX(l.created_at) FROM auth_sessions l WHERE l.user_id = users.id) AS last_sign_in_at
        """
}
