import Synchronization

/// What a bearer token is allowed to touch, and whose rate budget it spends.
struct Grant: Sendable {
    /// The locations the token may read; a request for any other location gets 403.
    let locations: Set<String>
    /// The agency a Company token acts for (its `/oauth/installedLocations`, `/oauth/locationToken`,
    /// `/locations/search`); nil for location tokens.
    var company: String? = nil
    /// Rate limits are per app per location: every access token of one OAuth app shares a
    /// budget, and each Private Integration Token has its own.
    let budgetKey: String
}

/// Whom an OAuth token speaks for: one location (sub-account), or the agency (company).
public enum TokenSubject: Sendable, Hashable {
    case location(String)
    case company(String)
}

/// An OAuth access/refresh token pair as `POST /oauth/token` returns it.
struct IssuedTokens: Sendable, Equatable {
    let accessToken: String
    let refreshToken: String
    let expiresIn: Int
    let subject: TokenSubject
}

/// Private Integration Tokens (static, bound to their location) and OAuth tokens (expiring
/// access tokens, refresh tokens that work exactly once).
final class TokenRegistry: Sendable {
    private struct AccessToken {
        let subject: TokenSubject
        let clientID: String
        var expiresAtMs: Int64
    }

    /// An authorization code: single use, valid for `codeLifetimeMs`, bound to the redirect URI it was issued for.
    private struct Code {
        let subject: TokenSubject
        let redirectURI: String?
        let expiresAtMs: Int64
    }

    private struct State {
        var privateTokens: [String: Set<String>] = [:]
        var accessTokens: [String: AccessToken] = [:]
        /// Refresh token -> subject; removed when used.
        var refreshTokens: [String: TokenSubject] = [:]
        /// Authorization code -> what it grants; removed when used.
        var codes: [String: Code] = [:]
    }

    /// GHL's codes are short-lived; ten minutes is the common OAuth bound.
    static let codeLifetimeMs: Int64 = 600_000

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
            switch access.subject {
            case .location(let location): return .success(Grant(locations: [location], budgetKey: "oauth:" + access.clientID))
            case .company(let company): return .success(Grant(locations: [], company: company, budgetKey: "oauth:" + access.clientID))
            }
        }
    }

    /// A fresh refresh token, as if an admin had just installed the app for this subject.
    func installApp(_ subject: TokenSubject) -> String {
        let token = Self.randomToken("rt")
        state.withLock { $0.refreshTokens[token] = subject }
        return token
    }

    /// A one-time authorization code for `grant_type=authorization_code`, valid for ten minutes.
    func authorizationCode(_ subject: TokenSubject, redirectURI: String? = nil) -> String {
        let code = Self.randomToken("code")
        let expires = SandboxTime.nowMilliseconds() + Self.codeLifetimeMs
        state.withLock { $0.codes[code] = Code(subject: subject, redirectURI: redirectURI, expiresAtMs: expires) }
        return code
    }

    enum GrantRequest {
        case refreshToken(String)
        /// A code, with the `redirect_uri` the exchange names (if any): it must be the one the code was issued for.
        case authorizationCode(String, redirectURI: String?)
    }

    /// Redeems a refresh token or code for a new pair; the redeemed one stops working.
    func redeem(_ request: GrantRequest) -> IssuedTokens? {
        state.withLock { s -> IssuedTokens? in
            let subject: TokenSubject?
            switch request {
            case .refreshToken(let token): subject = s.refreshTokens.removeValue(forKey: token)
            case .authorizationCode(let code, let redirectURI):
                guard let issued = s.codes.removeValue(forKey: code), issued.expiresAtMs > SandboxTime.nowMilliseconds(),
                      redirectURI == nil || issued.redirectURI == nil || redirectURI == issued.redirectURI else { return nil }
                subject = issued.subject
            }
            guard let subject else { return nil }
            let access = Self.issueAccess(subject, clientID: clientID, lifetimeSeconds: lifetimeSeconds, in: &s)
            let refresh = Self.randomToken("rt")
            s.refreshTokens[refresh] = subject
            return IssuedTokens(accessToken: access, refreshToken: refresh, expiresIn: lifetimeSeconds, subject: subject)
        }
    }

    /// A location access token minted from a Company token (`POST /oauth/locationToken`): no refresh
    /// token, the company asks again when it expires.
    func locationAccessToken(_ location: String) -> String {
        state.withLock { Self.issueAccess(.location(location), clientID: clientID, lifetimeSeconds: lifetimeSeconds, in: &$0) }
    }

    /// Ends every token of a location, as uninstalling the app there does.
    func revoke(location: String) {
        state.withLock { s in
            s.accessTokens = s.accessTokens.filter { $0.value.subject != .location(location) }
            s.refreshTokens = s.refreshTokens.filter { $0.value != .location(location) }
        }
    }

    private static func issueAccess(_ subject: TokenSubject, clientID: String, lifetimeSeconds: Int, in s: inout State) -> String {
        let access = randomToken("at")
        s.accessTokens[access] = AccessToken(
            subject: subject, clientID: clientID, expiresAtMs: SandboxTime.nowMilliseconds() + Int64(lifetimeSeconds) * 1000)
        return access
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
