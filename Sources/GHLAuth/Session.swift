import Foundation
import GHLStore

/// A signed-in session: what Supabase Auth's token endpoint returns
/// (`access_token`, `token_type`, `expires_in`, `expires_at`, `refresh_token`,
/// `user`); the server renders it in GoTrue's shape.
public struct AuthSession: Sendable, Equatable {
    public var sessionId: String
    public var accessToken: String
    public var tokenType: String
    /// Seconds the access token stays valid.
    public var expiresIn: Int
    /// Unix time at which the access token expires.
    public var expiresAt: Int
    /// Single use: refreshing returns a new one and retires this one.
    public var refreshToken: String
    public var user: User
}

/// Who a verified access token belongs to.
public struct AuthenticatedUser: Sendable, Equatable, Hashable {
    public var userId: String
    public var email: String
    public var sessionId: String
    /// When the access token stops being accepted; a realtime channel closes then.
    public var expiresAt: Date
    public var createdAt: String
    /// When the user last started a session (signed in or was issued a token).
    public var lastSignInAt: String?
}

extension AuthenticatedUser {
    /// The holder of a verified token's `claims`, whose session the store found live for `user`.
    init(_ claims: AccessClaims, _ user: User) {
        self.init(userId: claims.sub.value, email: user.email, sessionId: claims.sessionId, expiresAt: claims.exp.value,
                  createdAt: user.createdAt, lastSignInAt: user.lastSignInAt)
    }
}

/// Which sessions `POST /auth/v1/logout?scope=` ends, as GoTrue names them.
public enum SignOutScope: String, Sendable, CaseIterable {
    case global, local, others
}
