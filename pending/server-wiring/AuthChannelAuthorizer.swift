import Foundation
import GHLAuth
import GHLRealtime

/// Who may join `realtime:ghl:{source_id}`: a valid access token whose user
/// holds the source, checked at join and token refresh; `stillAuthorized`
/// re-reads the grant so a revoke closes open channels.
public struct AuthChannelAuthorizer: ChannelAuthorizer {
    public let auth: AuthService

    public init(auth: AuthService) { self.auth = auth }

    public func authorize(accessToken: String, sourceId: String) async throws -> ChannelGrant {
        let user: GHLAuth.AuthenticatedUser
        do { user = try await auth.verify(accessToken: accessToken) } catch {
            throw ChannelAuthorizationError.invalidToken
        }
        guard (try? auth.accounts.role(of: user.userId, in: sourceId)) ?? nil != nil else {
            throw ChannelAuthorizationError.noAccess(sourceId: sourceId)
        }
        return ChannelGrant(userId: user.userId, expiresAt: user.expiresAt)
    }

    public func stillAuthorized(userId: String, sourceId: String) async -> Bool {
        ((try? auth.accounts.role(of: userId, in: sourceId)) ?? nil) != nil
    }
}
