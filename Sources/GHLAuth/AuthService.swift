import Crypto
import Foundation
import GHLStore
import JWTKit

/// Sign-in, sessions and access tokens, like Supabase Auth in one process.
///
/// An access token is a short-lived HS256 JWT carrying the user id (`sub`) and
/// the session id; a refresh token is a random secret, single use, stored only
/// as its SHA-256 in `auth_sessions`. Verifying an access token checks its
/// signature, algorithm, key id, issuer, audience and expiry, and then that its
/// session is still live, so signing out or deleting a user ends their tokens
/// at once rather than at expiry.
///
/// Grants are not in the token: they are read from `user_sources` at each
/// request, with the session (`verify(accessToken:scopes:)`), so a revoke
/// applies to the next request.
public final class AuthService: Sendable {
    public let accounts: Accounts
    public let accessTokenLifetime: TimeInterval
    public let refreshTokenLifetime: TimeInterval
    private let key: SigningKey
    private let keys: JWTKeyCollection

    /// - Parameters:
    ///   - keyFile: the 0600 signing key file; by default `<database>.keys`, created if missing
    ///     (a PostgreSQL database keeps its key itself, shared by every server on it).
    ///   - accessTokenLifetime: Supabase's default is one hour.
    public init(store: any AccountStore, keyFile: String? = nil, hasher: PasswordHasher = .standard,
                accessTokenLifetime: TimeInterval = 3600, refreshTokenLifetime: TimeInterval = 30 * 86400) async throws {
        accounts = Accounts(store: store, hasher: hasher)
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        key = try await SigningKey.load(keyFile: keyFile, of: store)
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: key.secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
    }

    private var store: any AccountStore { accounts.store }

    /// Signs in with email and password, starting a new session.
    public func signIn(email: String, password: String) async throws -> AuthSession {
        let user = try await accounts.authenticate(email: email, password: password)
        return try await startSession(for: user)
    }

    /// Starts a session for a user without a password check: for the service
    /// role (`ghlsync users token`, the demo's built-in users).
    public func issueToken(for userId: String) async throws -> AuthSession {
        try await startSession(for: accounts.user(id: userId))
    }

    /// Exchanges a refresh token for a new access token and a new refresh token.
    /// The old refresh token is retired; presenting it again is taken as theft
    /// and ends the session.
    public func refresh(refreshToken: String) async throws -> AuthSession {
        let presented = Self.digest(refreshToken)
        let next = Self.newRefreshToken()
        let now = Timestamp.string()
        let rotated = try await store.rotateRefreshToken(presented: presented, next: Self.digest(next), now: now)
        guard let rotated else { throw AuthError.invalidRefreshToken }
        return try await session(for: accounts.user(id: rotated.userId), sessionId: rotated.sessionId, refreshToken: next)
    }

    /// Signs out as GoTrue's `/logout` does: `.local` ends the session the
    /// access token belongs to, `.global` every session of its user, `.others`
    /// every other one. An ended session's refresh token and access tokens stop
    /// working at once.
    public func signOut(userId: String, sessionId: String, scope: SignOutScope) async throws {
        let selection: Store.SessionSelection = switch scope {
        case .local: .only(sessionId)
        case .global: .all
        case .others: .allExcept(sessionId)
        }
        try await store.revokeSessions(of: userId, selection, at: Timestamp.string())
    }

    /// The user an access token belongs to, or `AuthError.invalidToken` for a
    /// malformed, forged, wrongly signed (`alg: none`, another algorithm or key),
    /// expired or revoked one.
    public func verify(accessToken: String) async throws -> AuthenticatedUser {
        let claims = try await signedClaims(accessToken)
        let found = try await store.userOfLiveSession(claims.sessionId, userId: claims.sub.value)
        guard let found else { throw AuthError.invalidToken }
        return AuthenticatedUser(claims, found)
    }

    /// `verify(accessToken:)` with the user's access scope: what each REST
    /// request needs, read with the session in one store read on the file
    /// (`AccessScopes.liveSession`).
    public func verify(accessToken: String, scopes: any AccessScopeSource) async throws -> (user: AuthenticatedUser, scope: AccessScope) {
        let claims = try await signedClaims(accessToken)
        let found = try await scopes.liveSession(claims.sessionId, userId: claims.sub.value)
        guard let found else { throw AuthError.invalidToken }
        return (AuthenticatedUser(claims, found.user), found.scope)
    }

    /// The claims of a well-formed access token signed with this service's key
    /// (HS256, its key id), not expired; its session is not checked here.
    private func signedClaims(_ accessToken: String) async throws -> AccessClaims {
        guard accessToken.utf8.count <= 8192,
              let (header, _, _) = try? DefaultJWTParser().parse(Array(accessToken.utf8), as: AccessClaims.self),
              header.alg == "HS256", header.kid == key.id,
              let claims = try? await keys.verify(accessToken, as: AccessClaims.self)
        else { throw AuthError.invalidToken }
        return claims
    }

    private func startSession(for user: User) async throws -> AuthSession {
        let sessionId = UUID().uuidString.lowercased()
        let refreshToken = Self.newRefreshToken()
        let now = Date()
        let expires = Timestamp.string(now.addingTimeInterval(refreshTokenLifetime))
        try await store.insertSession(id: sessionId, userId: user.id, tokenHash: Self.digest(refreshToken),
                                      createdAt: Timestamp.string(now), expiresAt: expires)
        var signedIn = user
        signedIn.lastSignInAt = Timestamp.string(now)
        return try await session(for: signedIn, sessionId: sessionId, refreshToken: refreshToken)
    }

    private func session(for user: User, sessionId: String, refreshToken: String) async throws -> AuthSession {
        let now = Date()
        // Whole seconds, as the JWT carries them, so `expires_at` matches `exp`.
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let expires = issued.addingTimeInterval(accessTokenLifetime.rounded(.down))
        let claims = AccessClaims(userId: user.id, sessionId: sessionId, email: user.email, issuedAt: issued, expiresAt: expires)
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: key.id))
        return AuthSession(sessionId: sessionId, accessToken: token, tokenType: "bearer", expiresIn: Int(accessTokenLifetime),
                           expiresAt: Int(expires.timeIntervalSince1970), refreshToken: refreshToken, user: user)
    }

    private static func newRefreshToken() -> String {
        Data(randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Tokens are stored only as this digest; they are 256-bit random, so no KDF is needed.
    private static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
