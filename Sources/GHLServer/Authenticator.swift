import GHLAuth
import GHLStore

/// One of the user's sources, with what the dashboard shows about it.
public struct SourceGrant: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var locationId: String
    public var currency: String
    public var role: Role

    public init(id: String, name: String, locationId: String, currency: String, role: Role) {
        self.id = id
        self.name = name
        self.locationId = locationId
        self.currency = currency
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case id, name, currency, role
        case locationId = "location_id"
    }
}

/// The user a request was authenticated as, with their grants at that moment.
public struct RequestUser: Sendable, Codable, Equatable {
    public var id: String
    public var email: String
    public var sources: [SourceGrant]

    public init(id: String, email: String, sources: [SourceGrant]) {
        self.id = id
        self.email = email
        self.sources = sources
    }

    public func role(on sourceId: String) -> Role? {
        sources.first { $0.id == sourceId }?.role
    }

    public var sourceIds: [String] { sources.map(\.id) }
}

/// What the HTTP front needs from the auth module: sign-in, refresh, and the
/// user behind an access token. Failures throw `APIError.unauthorized`.
public protocol Authenticator: Sendable {
    /// The session as Supabase Auth's `/auth/v1/token` answers it
    /// (`access_token`, `token_type`, `expires_in`, `refresh_token`, `user`).
    func signIn(email: String, password: String) async throws -> any Encodable & Sendable
    func refresh(refreshToken: String) async throws -> any Encodable & Sendable
    /// The user an access token belongs to, with their current grants; throws
    /// for a missing, forged, expired or revoked token.
    func user(accessToken: String) async throws -> RequestUser
}
