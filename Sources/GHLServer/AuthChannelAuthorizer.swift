import Foundation
import GHLAuth
import GHLRealtime

/// Who may join `realtime:ghl:{source_id}`: a valid access token whose user
/// may read the source, checked at join and token refresh; `stillAuthorized`
/// re-reads the grant so a revoke closes open channels.
public struct AuthChannelAuthorizer: ChannelAuthorizer {
    public let auth: AuthService

    public init(auth: AuthService) { self.auth = auth }

    public func authorize(accessToken: String, sourceId: String) async throws -> ChannelGrant {
        let user: AuthenticatedUser
        do { user = try await auth.verify(accessToken: accessToken) } catch {
            throw ChannelAuthorizationError.invalidToken
        }
        guard await stillAuthorized(userId: user.userId, sourceId: sourceId) else {
            throw ChannelAuthorizationError.noAccess(sourceId: sourceId)
        }
        return ChannelGrant(userId: user.userId, expiresAt: user.expiresAt)
    }

    /// A grant that cannot be read (database error) counts as no grant.
    public func stillAuthorized(userId: String, sourceId: String) async -> Bool {
        (try? auth.accounts.authorize(userId, .read, on: sourceId)) != nil
    }
}
