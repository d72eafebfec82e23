import GHLAuth
import GHLStore

/// `Authenticator` over GHLAuth's `AuthService`: sign-in and refresh as
/// Supabase Auth answers them, and the user behind a token with their grants
/// read fresh on every request (a revoke applies to the next one).
public struct AuthServiceAuthenticator: Authenticator {
    public let auth: AuthService

    public init(auth: AuthService) { self.auth = auth }

    public func signIn(email: String, password: String) async throws -> any Encodable & Sendable {
        try await mapped { try await auth.signIn(email: email, password: password) }
    }

    public func refresh(refreshToken: String) async throws -> any Encodable & Sendable {
        try await mapped { try await auth.refresh(refreshToken: refreshToken) }
    }

    public func user(accessToken: String) async throws -> RequestUser {
        try await mapped {
            let user = try await auth.verify(accessToken: accessToken)
            let accounts = auth.accounts
            let (grants, all) = try await accounts.store.blocking { (try accounts.grants(of: user.userId), try accounts.store.sources()) }
            let sources = all.compactMap { source in
                grants[source.id].map { SourceGrant(id: source.id, name: source.name, locationId: source.locationId,
                                                    currency: source.currency, role: $0) }
            }
            return RequestUser(id: user.userId, email: user.email, sources: sources)
        }
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as AuthError {
            throw APIError(.init(code: error.httpStatus), error.description)
        }
    }
}
