/// Where a client's bearer token comes from.
public protocol GHLCredentialProvider: Sendable {
    /// The token for the next request.
    func accessToken() async throws -> String
    /// Called after GHL answered 401 to `rejectedToken`: returns a token worth
    /// one more try, or nil when there is none (the 401 then stands).
    func tokenAfterUnauthorized(rejectedToken: String) async throws -> String?
}

/// A Private Integration Token: static, bound to one location; a 401 is final.
public struct PrivateIntegrationToken: GHLCredentialProvider {
    public let token: String

    public init(_ token: String) {
        self.token = token
    }

    public func accessToken() async throws -> String { token }

    public func tokenAfterUnauthorized(rejectedToken: String) async throws -> String? { nil }
}
