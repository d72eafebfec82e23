import Foundation

/// Decides who may join `realtime:ghl:{source_id}`: the seed's RLS policy on
/// `realtime.messages` (a user receives a topic's messages only when
/// `user_sources` links them to its source).
///
/// Realtime asks at join and at token refresh, never per event. It polls
/// `accessVersion` (one cheap read) and re-asks `stillAuthorized` for every
/// open channel as soon as it moves, and periodically anyway, so a revoked
/// grant, a revoked session or a deleted user closes open channels at once.
/// GHLServer provides the conformance backed by GHLAuth (`AuthChannelAuthorizer`).
public protocol ChannelAuthorizer: Sendable {
    /// Verifies `accessToken` (signature, expiry) and that its user holds `sourceId`.
    /// Throws `ChannelAuthorizationError` with the reason to show the client.
    func authorize(accessToken: String, sourceId: String) async throws -> ChannelGrant

    /// Whether the grant still stands: its user exists and holds `sourceId`,
    /// and its session (when it has one) is not revoked.
    func stillAuthorized(_ grant: ChannelGrant, sourceId: String) async -> Bool

    /// A number that moves whenever a grant, a session or a user changes, in
    /// any process; nil when it cannot be read (every channel is then re-checked).
    func accessVersion() async -> Int64?
}

/// What a successful authorization establishes for an open channel.
public struct ChannelGrant: Sendable, Equatable {
    public var userId: String
    /// The session the token belongs to: revoking it closes the channel.
    public var sessionId: String?
    /// When the access token stops being valid; the channel closes then unless refreshed.
    public var expiresAt: Date?

    public init(userId: String, sessionId: String? = nil, expiresAt: Date?) {
        self.userId = userId
        self.sessionId = sessionId
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
