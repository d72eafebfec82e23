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

/// The user a request was authenticated as, with their access scope at that moment.
public struct RequestUser: Sendable, Equatable {
    public var id: String
    public var email: String
    /// The session the access token belongs to (what `logout?scope=local` ends).
    public var sessionId: String
    public var createdAt: String
    public var lastSignInAt: String?
    /// What the user may read, read once for the request.
    public var scope: AccessScope

    public init(id: String, email: String, sessionId: String, createdAt: String, lastSignInAt: String?, scope: AccessScope) {
        self.id = id
        self.email = email
        self.sessionId = sessionId
        self.createdAt = createdAt
        self.lastSignInAt = lastSignInAt
        self.scope = scope
    }

    public func role(on sourceId: String) -> Role? {
        scope.role(on: sourceId).flatMap(Role.init(rawValue:))
    }

    /// The user's sources with their role on each, in the store's order.
    public var sources: [SourceGrant] {
        scope.grants.compactMap { grant in
            Role(rawValue: grant.role).map {
                SourceGrant(id: grant.sourceId, name: grant.name, locationId: grant.locationId, currency: grant.currency, role: $0)
            }
        }
    }
}

/// A session just started or refreshed, with its user as a request would see them.
public struct IssuedSession: Sendable, Equatable {
    public var accessToken: String
    public var expiresIn: Int
    public var expiresAt: Int
    public var refreshToken: String
    public var user: RequestUser
}

/// What the HTTP front needs from the auth module: sign-in, refresh, sign-out,
/// and the user behind an access token. Failures throw `AuthError`, which
/// `APIError` maps to GoTrue's answers.
public protocol Authenticator: Sendable {
    func signIn(email: String, password: String) async throws -> IssuedSession
    func refresh(refreshToken: String) async throws -> IssuedSession
    /// The user an access token belongs to, with their current grants; throws
    /// for a missing, forged, expired or revoked token.
    func user(accessToken: String) async throws -> RequestUser
    /// Ends the user's sessions that `scope` names.
    func signOut(_ user: RequestUser, scope: SignOutScope) async throws
}
