import Foundation
import GHLStore
import GRDB

/// Users and their grants on sources (`users`, `user_sources`).
///
/// This is the service side of access control: it decides scopes, it does not
/// read user data. Passwords are kept only as scrypt hashes.
public struct Accounts: Sendable {
    public let store: Store
    public let hasher: PasswordHasher

    public init(store: Store, hasher: PasswordHasher = .standard) {
        self.store = store
        self.hasher = hasher
    }

    /// A user and their grants, for `ghlsync users list`.
    public struct Listing: Sendable, Equatable {
        public var user: User
        public var grants: [String: Role]
    }

    // MARK: Users

    /// Creates a user. Without a password the user can only use tokens
    /// issued by `ghlsync users token` (or `AuthService.issueToken`).
    @discardableResult
    public func addUser(email: String, password: String? = nil) throws -> User {
        let email = try Self.normalized(email)
        let passwordHash = try password.map { password -> String in
            guard password.count >= 8 else { throw AuthError.invalidPassword("it needs at least 8 characters") }
            guard password.utf8.count <= 1024 else { throw AuthError.invalidPassword("it is longer than 1024 bytes") }
            return try hasher.hash(password)
        }
        let user = User(id: UUID().uuidString.lowercased(), email: email, createdAt: Timestamp.string(),
                        lastSignInAt: nil, hasPassword: passwordHash != nil)
        do {
            try store.pool.write { db in
                try db.execute(sql: "INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [user.id, user.email, passwordHash, user.createdAt])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw AuthError.duplicateEmail(email)
        }
        return user
    }

    public func user(email: String) throws -> User {
        let found = try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE email = ?",
                             arguments: [email.trimmingCharacters(in: .whitespaces)])
        }
        guard let found else { throw AuthError.unknownUser(email) }
        return Self.user(found)
    }

    public func user(id: String) throws -> User {
        let found = try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE id = ?",
                             arguments: [id])
        }
        guard let found else { throw AuthError.unknownUser(id) }
        return Self.user(found)
    }

    /// Every user with their grants, by email.
    public func listUsers() throws -> [Listing] {
        try store.pool.read { db in
            let users = try Row.fetchAll(db, sql: """
                SELECT \(Self.userColumns) FROM users ORDER BY email
                """).map(Self.user)
            var grants: [String: [String: Role]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT user_id, source_id, role FROM user_sources") {
                grants[row["user_id"], default: [:]][row["source_id"]] = Role(rawValue: row["role"])
            }
            return users.map { Listing(user: $0, grants: grants[$0.id] ?? [:]) }
        }
    }

    /// The user whose password this is, or `invalidCredentials`. An unknown
    /// email costs the same hashing work as a wrong password, so timing does
    /// not reveal which emails exist.
    func authenticate(email: String, password: String) throws -> User {
        let row = try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns), password_hash FROM users WHERE email = ?",
                             arguments: [email.trimmingCharacters(in: .whitespaces)])
        }
        let stored: String? = row?["password_hash"]
        guard PasswordHasher.verify(password, against: stored ?? Self.decoyHash), let row, stored != nil else {
            throw AuthError.invalidCredentials
        }
        return Self.user(row)
    }

    // MARK: Grants

    /// Gives `userId` the role on the source, replacing any role it had there.
    public func grant(_ role: Role, to userId: String, on sourceId: String) throws {
        try store.pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userId]) == true else {
                throw AuthError.unknownUser(userId)
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM ghl_sources WHERE id = ?", arguments: [sourceId]) == true else {
                throw StoreError.unknownSource(sourceId)
            }
            try db.execute(sql: """
                INSERT INTO user_sources (user_id, source_id, role, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id, source_id) DO UPDATE SET role = excluded.role WHERE role <> excluded.role
                """, arguments: [userId, sourceId, role.rawValue, Timestamp.string()])
        }
    }

    /// Removes the user's grant on the source; it takes effect on their next read.
    public func revoke(userId: String, sourceId: String) throws {
        let removed = try store.pool.write { db in
            try db.execute(sql: "DELETE FROM user_sources WHERE user_id = ? AND source_id = ?", arguments: [userId, sourceId])
            return db.changesCount
        }
        guard removed > 0 else { throw AuthError.noGrant(user: userId, sourceId: sourceId) }
    }

    /// The user's role on each source they may use.
    public func grants(of userId: String) throws -> [String: Role] {
        try store.pool.read { db in
            var grants: [String: Role] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source_id, role FROM user_sources WHERE user_id = ?", arguments: [userId]) {
                grants[row["source_id"]] = Role(rawValue: row["role"])
            }
            return grants
        }
    }

    /// The user's role on one source, or nil without a grant.
    public func role(of userId: String, in sourceId: String) throws -> Role? {
        try store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT role FROM user_sources WHERE user_id = ? AND source_id = ?",
                                arguments: [userId, sourceId]).flatMap(Role.init(rawValue:))
        }
    }

    /// The role, if it allows `permission`; otherwise `AuthError.forbidden`.
    @discardableResult
    public func authorize(_ userId: String, _ permission: Permission, on sourceId: String) throws -> Role {
        guard let role = try role(of: userId, in: sourceId), role.allows(permission) else {
            throw AuthError.forbidden(sourceId: sourceId, needs: permission.minimumRole)
        }
        return role
    }

    /// What the user may read right now, for `ScopedReader`.
    public func scope(of userId: String) throws -> AccessScope {
        AccessScope(userId: userId, sourceIds: Set(try grants(of: userId).keys))
    }

    /// A number that changes whenever any grant changes, a session is revoked
    /// or deleted, or a user is deleted, in any process. Long-lived connections
    /// poll it (one point read) and re-check their user's access when it moved.
    public func grantsVersion() throws -> Int64 {
        try store.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT version FROM auth_grants_version WHERE id = 1") ?? 0
        }
    }

    // MARK: Helpers

    private static func normalized(_ email: String) throws -> String {
        let trimmed = email.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), trimmed.count <= 254,
              !trimmed.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "\0" })
        else { throw AuthError.invalidEmail(email) }
        return trimmed
    }

    private static func user(_ row: Row) -> User {
        User(id: row["id"], email: row["email"], createdAt: row["created_at"], lastSignInAt: row["last_sign_in_at"],
             hasPassword: row["has_password"])
    }

    /// The columns `user(_:)` reads, from `users`.
    private static let userColumns = """
        id, email, created_at, password_hash IS NOT NULL AS has_password,
        (SELECT MAX(s.created_at) FROM auth_sessions s WHERE s.user_id = users.id) AS last_sign_in_at
        """

    /// A valid hash of a random password, verified against when the email is unknown.
    private static let decoyHash: String = (try? PasswordHasher.standard.hash(UUID().uuidString)) ?? ""
}
