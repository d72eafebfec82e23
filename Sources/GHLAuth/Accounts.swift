import Foundation
import GHLStore

/// Users and their grants on sources (`users`, `user_sources`).
///
/// This is the service side of access control: it validates emails and
/// passwords and gives roles meaning; the store keeps the rows. It does not
/// read user data. Passwords are kept only as scrypt hashes.
public struct Accounts: Sendable {
    public let store: any AccountStore
    public let hasher: PasswordHasher

    public init(store: any AccountStore, hasher: PasswordHasher = .standard) {
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
    public func addUser(email: String, password: String? = nil) async throws -> User {
        let email = try Self.normalized(email)
        let passwordHash = try password.map { password -> String in
            guard password.count >= 8 else { throw AuthError.invalidPassword("it needs at least 8 characters") }
            guard password.utf8.count <= 1024 else { throw AuthError.invalidPassword("it is longer than 1024 bytes") }
            return try hasher.hash(password)
        }
        let user = User(id: UUID().uuidString.lowercased(), email: email, createdAt: Timestamp.string(),
                        lastSignInAt: nil, hasPassword: passwordHash != nil)
        guard try await store.insertUser(user, passwordHash: passwordHash) else { throw AuthError.duplicateEmail(email) }
        return user
    }

    public func user(email: String) async throws -> User {
        guard let user = try await store.user(email: email.trimmingCharacters(in: .whitespaces)) else { throw AuthError.unknownUser(email) }
        return user
    }

    public func user(id: String) async throws -> User {
        guard let user = try await store.user(id: id) else { throw AuthError.unknownUser(id) }
        return user
    }

    /// Every user with their grants, by email.
    public func listUsers() async throws -> [Listing] {
        try await store.usersWithGrants().map { Listing(user: $0.user, grants: $0.grants.compactMapValues(Role.init(rawValue:))) }
    }

    /// The user whose password this is, or `invalidCredentials`. An unknown
    /// email costs the same hashing work as a wrong password, so timing does
    /// not reveal which emails exist.
    func authenticate(email: String, password: String) async throws -> User {
        let found = try await store.userWithPasswordHash(email: email.trimmingCharacters(in: .whitespaces))
        let stored = found?.passwordHash
        guard PasswordHasher.verify(password, against: stored ?? Self.decoyHash), let found, stored != nil else {
            throw AuthError.invalidCredentials
        }
        return found.user
    }

    // MARK: Grants

    /// Gives `userId` the role on the source, replacing any role it had there.
    public func grant(_ role: Role, to userId: String, on sourceId: String) async throws {
        guard try await store.setGrant(role.rawValue, userId: userId, sourceId: sourceId) else { throw AuthError.unknownUser(userId) }
    }

    /// Removes the user's grant on the source; it takes effect on their next read.
    public func revoke(userId: String, sourceId: String) async throws {
        guard try await store.removeGrant(userId: userId, sourceId: sourceId) else {
            throw AuthError.noGrant(user: userId, sourceId: sourceId)
        }
    }

    /// The user's role on each source they may use.
    public func grants(of userId: String) async throws -> [String: Role] {
        var grants: [String: Role] = [:]
        for grant in try await store.accessScope(of: userId).grants {
            grants[grant.sourceId] = Role(rawValue: grant.role)
        }
        return grants
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

    /// A valid hash of a random password, verified against when the email is unknown.
    private static let decoyHash: String = (try? PasswordHasher.standard.hash(UUID().uuidString)) ?? ""
}
