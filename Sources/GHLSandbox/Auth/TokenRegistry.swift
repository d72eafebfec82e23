import Synchronization

/// What a bearer token is allowed to touch, and whose rate budget it spends.
struct Grant: Sendable {
    /// The locations the token may read; a request for any other location gets 403.
    let locations: Set<String>
    /// Rate limits are per app per location: every access token of one OAuth app shares a
    /// budget, and each Private Integration Token has its own.
    let budgetKey: String
}

/// An OAuth access/refresh token pair as `POST /oauth/token` returns it.
struct IssuedTokens: Sendable, Equatable {
    let accessToken: String
    let refreshToken: String
    let expiresIn: Int
    let locationID: String
}

/// Private Integration Tokens (static, bound to their location) and OAuth tokens (expiring
/// access tokens, refresh tokens that work exactly once).
final class TokenRegistry: Sendable {
    private struct AccessToken {
        let location: String
        let clientID: String
        var expiresAtMs: Int64
    }

    private struct State {
        var privateTokens: [String: Set<String>] = [:]
        var accessTokens: [String: AccessToken] = [:]
        /// Refresh token -> location; removed when used.
        var refreshTokens: [String: String] = [:]
        /// Authorization code -> location; removed when used.
        var codes: [String: String] = [:]
    }

    enum Failure: Error, Equatable {
        case missing, unknown, expired
    }

    private let state = Mutex(State())
    let clientID: String
    let clientSecret: String
    let lifetimeSeconds: Int

    init(privateTokens: [(location: String, token: String)], configuration: SandboxConfiguration) {
        clientID = configuration.oauthClientID
        clientSecret = configuration.oauthClientSecret
        lifetimeSeconds = configuration.accessTokenLifetimeSeconds
        state.withLock { s in
            for (location, token) in privateTokens { s.privateTokens[token, default: []].insert(location) }
        }
    }

    func authenticate(authorization: String?) -> Result<Grant, Failure> {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return .failure(.missing) }
        let token = String(authorization.dropFirst(7)).trimmingSpaces
        guard !token.isEmpty else { return .failure(.missing) }
        return state.withLock { s in
            if let locations = s.privateTokens[token] {
                return .success(Grant(locations: locations, budgetKey: "pit:" + token))
            }
            guard let access = s.accessTokens[token] else { return .failure(.unknown) }
            guard access.expiresAtMs > SandboxTime.nowMilliseconds() else { return .failure(.expired) }
            return .success(Grant(locations: [access.location], budgetKey: "oauth:" + access.clientID))
        }
    }

    /// A fresh refresh token for a location, as if an admin had just installed the app there.
    func installApp(location: String) -> String {
        let token = Self.randomToken("rt")
        state.withLock { $0.refreshTokens[token] = location }
        return token
    }

    /// A one-time authorization code for `grant_type=authorization_code`.
    func authorizationCode(location: String) -> String {
        let code = Self.randomToken("code")
        state.withLock { $0.codes[code] = location }
        return code
    }

    enum GrantRequest {
        case refreshToken(String)
        case authorizationCode(String)
    }

    /// Redeems a refresh token or code for a new pair; the redeemed one stops working.
    func redeem(_ request: GrantRequest) -> IssuedTokens? {
        state.withLock { s -> IssuedTokens? in
            let location: String?
            switch request {
            case .refreshToken(let token): location = s.refreshTokens.removeValue(forKey: token)
            case .authorizationCode(let code): location = s.codes.removeValue(forKey: code)
            }
            guard let location else { return nil }
            let access = Self.randomToken("at")
            let refresh = Self.randomToken("rt")
            s.accessTokens[access] = AccessToken(
                location: location, clientID: clientID, expiresAtMs: SandboxTime.nowMilliseconds() + Int64(lifetimeSeconds) * 1000)
            s.refreshTokens[refresh] = location
            return IssuedTokens(accessToken: access, refreshToken: refresh, expiresIn: lifetimeSeconds, locationID: location)
        }
    }

    /// Makes every access token issued so far expired, so clients must refresh.
    func expireAccessTokens() {
        state.withLock { s in
            for key in s.accessTokens.keys { s.accessTokens[key]!.expiresAtMs = 0 }
        }
    }

    /// OAuth secrets are not derived from the seed: they should not be guessable.
    private static func randomToken(_ prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        var mixer = SplitMix64(seed: rng.next())
        return prefix + "-" + mixer.ghlID() + mixer.ghlID()
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
