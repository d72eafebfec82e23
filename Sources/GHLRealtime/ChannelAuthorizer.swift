import Foundation

/// Decides who may join `realtime:ghl:{source_id}`: the seed's RLS policy on
/// `realtime.messages` (a user receives a topic's messages only when
/// `user_sources` links them to its source).
///
/// Realtime asks at join and at token refresh, never per event, and re-asks
/// `stillAuthorized` periodically so a revoked grant closes open channels.
/// GHLAuth provides the conformance backed by the users and grants tables.
public protocol ChannelAuthorizer: Sendable {
    /// Verifies `accessToken` (signature, expiry) and that its user holds `sourceId`.
    /// Throws `ChannelAuthorizationError` with the reason to show the client.
    func authorize(accessToken: String, sourceId: String) async throws -> ChannelGrant

    /// Whether `userId` still holds `sourceId` (grant not revoked, user not removed).
    func stillAuthorized(userId: String, sourceId: String) async -> Bool
}

/// What a successful authorization establishes for an open channel.
public struct ChannelGrant: Sendable, Equatable {
    public var userId: String
    /// When the access token stops being valid; the channel closes then unless refreshed.
    public var expiresAt: Date?

    public init(userId: String, expiresAt: Date?) {
        self.userId = userId
        self.expiresAt = expiresAt
    }
}

/// A refused join or token refresh, with the reason the client receives.
public struct ChannelAuthorizationError: Error, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }

    public static func noAccess(sourceId: String) -> Self {
        Self("Unauthorized: You do not have permissions to read from this Channel topic: \(RealtimeTopic.sourcePrefix)\(sourceId)")
    }
    public static let invalidToken = Self("Invalid JWT Token")
    public static let expiredToken = Self("Token has expired")
    public static let missingToken = Self("Unauthorized: an access token is required (join payload access_token or ?apikey=)")
}
