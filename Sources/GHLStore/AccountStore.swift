import Foundation

/// What sign-in, sessions and access scopes need from a database, so GHLAuth
/// and the server's authorization run unchanged over the SQLite file (`Store`)
/// and over PostgreSQL (`PostgresStore`): users, refresh-token sessions,
/// grants, the scope of a user and the number that moves when grants do.
public protocol AccountStore: Sendable {
    /// Inserts the user with its password hash (nil: token-only); false when another user has the email.
    func insertUser(_ user: User, passwordHash: String?) async throws -> Bool
    func user(email: String) async throws -> User?
    func user(id: String) async throws -> User?
    /// The user with this email and their stored password hash (nil for a token-only user).
    func userWithPasswordHash(email: String) async throws -> (user: User, passwordHash: String?)?
    /// Every user by email, with their grants (source id to role).
    func usersWithGrants() async throws -> [(user: User, grants: [String: String])]
    /// The user a live (not revoked) session belongs to, or nil.
    func userOfLiveSession(_ sessionId: String, userId: String) async throws -> User?

    func insertSession(id: String, userId: String, tokenHash: String, createdAt: String, expiresAt: String) async throws
    /// Rotates a live session's refresh token digest; a replayed one revokes its session (nil then).
    func rotateRefreshToken(presented: String, next: String, now: String) async throws -> (sessionId: String, userId: String)?
    func revokeSessions(of userId: String, _ selection: Store.SessionSelection, at now: String) async throws

    /// False when the user does not exist; `StoreError.unknownSource` when the source does not.
    func setGrant(_ role: String, userId: String, sourceId: String) async throws -> Bool
    /// False when there was no such grant.
    func removeGrant(userId: String, sourceId: String) async throws -> Bool
    /// The user's grants with their sources, in the store's order of sources.
    func accessScope(of userId: String) async throws -> AccessScope
    /// Where a server reads each request's scope (the SQLite file caches them by `grantsVersion`).
    func requestScopes() -> any AccessScopeSource
    /// Moves whenever any grant changes, in any process.
    func grantsVersion() async throws -> Int64
    /// Whether an open realtime channel may stay open (user, grant and session still live).
    func stillHolds(userId: String, sourceId: String, sessionId: String?) async throws -> Bool

    /// The file beside which the signing key lives (`<file>.keys`), or nil for
    /// a database that keeps the key itself (`sharedSigningKey`), so that every
    /// server on it signs alike.
    var keyFileBase: String? { get }
    /// The signing key the database keeps (as `SigningKey` writes its file):
    /// the one stored, or `candidate` when none was yet; nil for a database
    /// that keeps none (its key lives in a file beside it).
    func sharedSigningKey(candidate: String) async throws -> String?
}

/// Where a request's access scope comes from.
public protocol AccessScopeSource: Sendable {
    func scope(of userId: String) async throws -> AccessScope
    /// The user of a live session with their scope, or nil: a request's whole access check.
    func liveSession(_ sessionId: String, userId: String) async throws -> (user: User, scope: AccessScope)?
}

extension AccessScopes: AccessScopeSource {}

extension Store: AccountStore {
    public func requestScopes() -> any AccessScopeSource { AccessScopes(store: self) }

    public var keyFileBase: String? { path }

    /// None: the file's key lives beside it, never in it, so a synced file can
    /// be handed on without the power to mint tokens (see `SigningKey`).
    public func sharedSigningKey(candidate: String) async throws -> String? { nil }
}
