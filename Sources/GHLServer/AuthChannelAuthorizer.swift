import Foundation
import GHLAuth
import GHLRealtime

/// Realtime's authorization backed by GHLAuth: the token must verify (signature,
/// algorithm, key, expiry, live session) and its user must hold a grant on the
/// source in `user_sources`, with any role: every role may read. An open
/// channel stays authorized while its session is live, its user exists and
/// the grant stands. It lives in the server, where auth and realtime meet, so
/// GHLRealtime knows only its `ChannelAuthorizer` protocol and not GHLAuth.
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
        let grant = ChannelGrant(userId: user.userId, sessionId: user.sessionId, expiresAt: user.expiresAt)
        guard await stillAuthorized(grant, sourceId: sourceId) else {
            throw ChannelAuthorizationError.noAccess(sourceId: sourceId)
        }
        return grant
    }

    public func stillAuthorized(_ grant: ChannelGrant, sourceId: String) async -> Bool {
        // A read failure denies: a channel is closed rather than left open unchecked.
        let store = auth.accounts.store
        return (try? await store.stillHolds(userId: grant.userId, sourceId: sourceId, sessionId: grant.sessionId)) ?? false
    }

    public func accessVersion() async -> Int64? {
        let store = auth.accounts.store
        return try? await store.grantsVersion()
    }
}
