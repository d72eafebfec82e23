import GHLAuth
import GHLStore

/// `Authenticator` over GHLAuth's `AuthService`: the user behind a token with
/// their grants read fresh on every request (a revoke applies to the next one).
public struct AuthServiceAuthenticator: Authenticator {
    public let auth: AuthService

    public init(auth: AuthService) { self.auth = auth }

    public func signIn(email: String, password: String) async throws -> IssuedSession {
        try await issued(try await auth.signIn(email: email, password: password))
    }

    public func refresh(refreshToken: String) async throws -> IssuedSession {
        try await issued(try await auth.refresh(refreshToken: refreshToken))
    }

    public func user(accessToken: String) async throws -> RequestUser {
        let user = try await auth.verify(accessToken: accessToken)
        return RequestUser(id: user.userId, email: user.email, sessionId: user.sessionId, createdAt: user.createdAt,
                           lastSignInAt: user.lastSignInAt, sources: try await grants(of: user.userId))
    }

    public func signOut(_ user: RequestUser, scope: SignOutScope) async throws {
        try await auth.signOut(userId: user.id, sessionId: user.sessionId, scope: scope)
    }

    private func issued(_ session: AuthSession) async throws -> IssuedSession {
        let user = RequestUser(id: session.user.id, email: session.user.email, sessionId: session.sessionId,
                               createdAt: session.user.createdAt, lastSignInAt: session.user.lastSignInAt,
                               sources: try await grants(of: session.user.id))
        return IssuedSession(accessToken: session.accessToken, expiresIn: session.expiresIn, expiresAt: session.expiresAt,
                             refreshToken: session.refreshToken, user: user)
    }

    /// The user's sources with their role on each, in the store's order.
    private func grants(of userId: String) async throws -> [SourceGrant] {
        let accounts = auth.accounts
        let (grants, all) = try await accounts.store.blocking { (try accounts.grants(of: userId), try accounts.store.sources()) }
        return all.compactMap { source in
            grants[source.id].map { SourceGrant(id: source.id, name: source.name, locationId: source.locationId,
                                                currency: source.currency, role: $0) }
        }
    }
}
