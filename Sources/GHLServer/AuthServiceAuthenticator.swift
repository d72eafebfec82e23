import GHLAuth
import GHLStore

/// `Authenticator` over GHLAuth's `AuthService`: the user behind a token with
/// their access scope as of the request, both in one store read (a revoke
/// applies to the next one; `AccessScopes` re-reads it only when the grants version moved).
public struct AuthServiceAuthenticator: Authenticator {
    public let auth: AuthService
    private let scopes: any AccessScopeSource

    public init(auth: AuthService) {
        self.auth = auth
        scopes = auth.accounts.store.requestScopes()
    }

    public func signIn(email: String, password: String) async throws -> IssuedSession {
        try await issued(try await auth.signIn(email: email, password: password))
    }

    public func refresh(refreshToken: String) async throws -> IssuedSession {
        try await issued(try await auth.refresh(refreshToken: refreshToken))
    }

    public func user(accessToken: String) async throws -> RequestUser {
        let (user, scope) = try await auth.verify(accessToken: accessToken, scopes: scopes)
        return RequestUser(id: user.userId, email: user.email, sessionId: user.sessionId, createdAt: user.createdAt,
                           lastSignInAt: user.lastSignInAt, scope: scope)
    }

    public func signOut(_ user: RequestUser, scope: SignOutScope) async throws {
        try await auth.signOut(userId: user.id, sessionId: user.sessionId, scope: scope)
    }

    private func issued(_ session: AuthSession) async throws -> IssuedSession {
        let user = RequestUser(id: session.user.id, email: session.user.email, sessionId: session.sessionId,
                               createdAt: session.user.createdAt, lastSignInAt: session.user.lastSignInAt,
                               scope: try await scope(of: session.user.id))
        return IssuedSession(accessToken: session.accessToken, expiresIn: session.expiresIn, expiresAt: session.expiresAt,
                             refreshToken: session.refreshToken, user: user)
    }

    private func scope(of userId: String) async throws -> AccessScope {
        try await scopes.scope(of: userId)
    }
}
