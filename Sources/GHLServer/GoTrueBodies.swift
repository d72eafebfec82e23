/// GoTrue's User object, as supabase-py's `User` model and supabase-js read it.
/// ghlsync's sources and roles live in `app_metadata.sources`, where GoTrue
/// keeps what only the server may set.
struct GoTrueUser: Encodable {
    struct AppMetadata: Encodable {
        var provider = "email"
        var providers = ["email"]
        var sources: [SourceGrant]
    }

    struct Empty: Encodable {}

    var id: String
    var aud = "authenticated"
    var role = "authenticated"
    var email: String
    var phone = ""
    var appMetadata: AppMetadata
    var userMetadata = Empty()
    var identities: [Empty] = []
    var createdAt: String
    /// ghlsync changes nothing about a user after creation but its sessions.
    var updatedAt: String
    var lastSignInAt: String?
    var isAnonymous = false

    init(_ user: RequestUser) {
        id = user.id
        email = user.email
        appMetadata = AppMetadata(sources: user.sources)
        createdAt = user.createdAt
        updatedAt = user.lastSignInAt ?? user.createdAt
        lastSignInAt = user.lastSignInAt
    }

    enum CodingKeys: String, CodingKey {
        case id, aud, role, email, phone, identities
        case appMetadata = "app_metadata", userMetadata = "user_metadata", createdAt = "created_at"
        case updatedAt = "updated_at", lastSignInAt = "last_sign_in_at", isAnonymous = "is_anonymous"
    }
}

/// GoTrue's Session object, the answer of both token grants.
struct GoTrueSession: Encodable {
    var accessToken: String
    var tokenType = "bearer"
    var expiresIn: Int
    var expiresAt: Int
    /// Empty when the refresh token travels in the dashboard's HttpOnly cookie instead.
    var refreshToken: String
    var user: GoTrueUser

    init(_ session: IssuedSession, refreshTokenInBody: Bool) {
        accessToken = session.accessToken
        expiresIn = session.expiresIn
        expiresAt = session.expiresAt
        refreshToken = refreshTokenInBody ? session.refreshToken : ""
        user = GoTrueUser(session.user)
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case expiresAt = "expires_at", refreshToken = "refresh_token", user
    }
}
