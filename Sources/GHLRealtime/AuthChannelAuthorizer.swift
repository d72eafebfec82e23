import Foundation
import GHLAuth

/// Realtime's authorization backed by GHLAuth: the token must verify (signature,
/// algorithm, key, expiry, live session) and its user must hold a grant on the
/// source in `user_sources`, with any role: every role may read.
public struct AuthChannelAuthorizer: ChannelAuthorizer {
    public let auth: AuthService

    public init(auth: AuthService) {
        self.auth = auth
    }

    public func authorize(accessToken: String, sourceId: String) async throws -> ChannelGrant {
        let user: AuthenticatedUser
        do {
            user = try await auth.verify(accessToken: accessToken)
        } catch {
            throw ChannelAuthorizationError.invalidToken
        }
        guard await stillAuthorized(userId: user.userId, sourceId: sourceId) else {
            throw ChannelAuthorizationError.noAccess(sourceId: sourceId)
        }
        return ChannelGrant(userId: user.userId, expiresAt: user.expiresAt)
    }

    public func stillAuthorized(userId: String, sourceId: String) async -> Bool {
        // A read failure denies: a channel is closed rather than left open unchecked.
        let accounts = auth.accounts
        return ((try? await accounts.store.blocking { try accounts.role(of: userId, in: sourceId) }) ?? nil) != nil
    }
}
