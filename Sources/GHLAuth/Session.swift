import Foundation

/// A signed-in session, as Supabase Auth's token endpoint returns it
/// (`access_token`, `token_type`, `expires_in`, `expires_at`, `refresh_token`, `user`).
public struct AuthSession: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    /// Seconds the access token stays valid.
    public var expiresIn: Int
    /// Unix time at which the access token expires.
    public var expiresAt: Int
    /// Single use: refreshing returns a new one and retires this one.
    public var refreshToken: String
    public var user: User

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case expiresAt = "expires_at", refreshToken = "refresh_token", user
    }
}

/// Who a verified access token belongs to.
public struct AuthenticatedUser: Sendable, Equatable, Hashable {
    public var userId: String
    public var email: String
    public var sessionId: String
    /// When the access token stops being accepted; a realtime channel closes then.
    public var expiresAt: Date
}

/// A user account, without its credentials.
public struct User: Codable, Sendable, Equatable, Hashable {
    public var id: String
    public var email: String
    public var createdAt: String
    /// Whether the user can sign in with a password (else only with tokens from `ghlsync users token`).
    public var hasPassword: Bool

    enum CodingKeys: String, CodingKey {
        case id, email, createdAt = "created_at", hasPassword = "has_password"
    }
}
