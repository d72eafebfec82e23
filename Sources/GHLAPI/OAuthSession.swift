import Foundation
import GHLJSON

/// The tokens of an OAuth installation.
public struct OAuthTokens: Sendable, Codable, Hashable {
    public var accessToken: String?
    public var refreshToken: String
    /// When the access token stops working, when known.
    public var expiresAt: Date?

    public init(accessToken: String?, refreshToken: String, expiresAt: Date?) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
    }
}

/// Serialises token refreshes across processes that keep one installation's
/// tokens in one place (ghlsync: an advisory lock beside the secrets file).
public protocol RefreshCoordinator: Sendable {
    /// Waits for the installation's lock and returns the tokens stored now:
    /// another process may have rotated them while this one waited.
    func lock() async throws -> OAuthTokens
    func unlock()
}

/// OAuth access for one location: refreshes on 401 (or shortly before
/// expiry) with `POST /oauth/token`, once for all concurrent requests.
///
/// GHL rotates the refresh token on every refresh and the old one stops
/// working, so the new pair goes to `persist` before the new access token is
/// used: a crash right after can never leave only a dead token on disk. If
/// `persist` fails the request fails, and the next request tries again to
/// persist the pair held in memory.
///
/// With a `coordinator`, a refresh happens under its lock: when the stored
/// refresh token is no longer the one held here, another process has just
/// refreshed and its fresh pair is taken up instead of spending a dead token.
public actor OAuthSession: GHLCredentialProvider {
    public typealias Persist = @Sendable (OAuthTokens) async throws -> Void

    public let tokenURL: String
    let clientId: String
    let clientSecret: String
    let userType: String
    let transport: any GHLTransport
    let persist: Persist
    let coordinator: (any RefreshCoordinator)?
    let metrics: GHLMetrics

    private var tokens: OAuthTokens
    /// A refreshed pair that `persist` has not accepted yet.
    private var unpersisted: OAuthTokens?
    private var refreshing: Task<String, any Error>?

    /// - Parameters:
    ///   - baseURL: `https://services.leadconnectorhq.com` or the sandbox's URL.
    ///   - persist: stores the rotated tokens (ghlsync: a 0600 secrets file).
    public init(baseURL: String, clientId: String, clientSecret: String, tokens: OAuthTokens,
                userType: String = "Location", transport: any GHLTransport = AsyncHTTPTransport(),
                coordinator: (any RefreshCoordinator)? = nil, persist: @escaping Persist) {
        self.tokenURL = GHLClient.join(baseURL, "/oauth/token")
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.tokens = tokens
        self.userType = userType
        self.transport = transport
        self.persist = persist
        self.coordinator = coordinator
        self.metrics = GHLMetrics()
    }

    /// The tokens currently in use.
    public var currentTokens: OAuthTokens { tokens }

    /// Refreshes made so far (the counter's `requests`).
    public nonisolated var counters: GHLCounters { metrics.snapshot }

    public func accessToken() async throws -> String {
        if refreshing == nil, unpersisted == nil, let token = tokens.accessToken, !expiresSoon { return token }
        return try await renew()
    }

    public func tokenAfterUnauthorized(rejectedToken: String) async throws -> String? {
        if refreshing == nil, unpersisted == nil, let token = tokens.accessToken, token != rejectedToken { return token }
        return try await renew()
    }

    private var expiresSoon: Bool {
        guard let expiresAt = tokens.expiresAt else { return false }
        return expiresAt.timeIntervalSinceNow < 60
    }

    /// Joins the renewal under way, or starts one: persisting a pair an
    /// earlier `persist` refused, else a refresh.
    private func renew() async throws -> String {
        if let refreshing { return try await refreshing.value }
        let task = Task {
            if let pending = self.unpersisted { return try await self.adopt(pending) }
            return try await self.coordinatedRefresh()
        }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    /// Refreshes under the coordinator's lock, or takes up the pair another process just stored.
    private func coordinatedRefresh() async throws -> String {
        guard let coordinator else { return try await performRefresh() }
        let stored = try await coordinator.lock()
        defer { coordinator.unlock() }
        if stored.refreshToken != tokens.refreshToken, let access = stored.accessToken,
           stored.expiresAt.map({ $0.timeIntervalSinceNow >= 60 }) ?? true {
            tokens = stored
            return access
        }
        if stored.refreshToken != tokens.refreshToken { tokens.refreshToken = stored.refreshToken }
        return try await performRefresh()
    }

    private func performRefresh() async throws -> String {
        let form = [("client_id", clientId), ("client_secret", clientSecret), ("grant_type", "refresh_token"),
                    ("refresh_token", tokens.refreshToken), ("user_type", userType)]
        let body = form.map { "\(GHLClient.percentEncode($0.0))=\(GHLClient.percentEncode($0.1))" }.joined(separator: "&")
        let request = GHLHTTPRequest(method: "POST", url: tokenURL,
                                     headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                               ("Accept", "application/json")],
                                     body: Array(body.utf8))
        metrics.update { $0.requests += 1 }
        let response: GHLHTTPResponse
        do {
            response = try await transport.send(request, timeout: .seconds(30))
        } catch {
            throw failure(status: nil, "token refresh failed: \(error)")
        }
        guard response.status == 200 else {
            throw failure(status: response.status, GHLAPIError.message(fromBody: response.body))
        }
        guard let json = try? JSONValue(parsing: response.body),
              let access = json["access_token"]?.stringValue, let refresh = json["refresh_token"]?.stringValue else {
            throw failure(status: 200, "token response lacks access_token or refresh_token")
        }
        let expiresAt = json["expires_in"]?.doubleValue.map { Date(timeIntervalSinceNow: $0) }
        let fresh = OAuthTokens(accessToken: access, refreshToken: refresh, expiresAt: expiresAt)
        // The old refresh token is dead from here on: keep the new pair even if persisting fails.
        tokens.refreshToken = refresh
        tokens.accessToken = nil
        return try await adopt(fresh)
    }

    /// Persists a refreshed pair, then starts using it.
    private func adopt(_ fresh: OAuthTokens) async throws -> String {
        unpersisted = fresh
        do {
            try await persist(fresh)
        } catch {
            throw failure(status: nil, "could not persist the rotated refresh token: \(error)")
        }
        unpersisted = nil
        tokens = fresh
        return fresh.accessToken ?? ""
    }

    private func failure(status: Int?, _ message: String) -> GHLAPIError {
        GHLAPIError(kind: .authentication, endpoint: "POST /oauth/token", status: status, message: message, attempts: 1)
    }
}
