import Foundation
import Hummingbird
import GHLJSON

/// `POST /oauth/token`, form-encoded, with GHL's snake_case keys or the camelCase the official
/// Python SDK sends. Each redeemed refresh token (or code) stops working; the answer carries
/// the new pair, as a Location token (`locationId`) or a Company token (`approvedLocations`).
/// Wrong client credentials, unknown or used refresh tokens, and expired codes or codes issued for
/// another `redirect_uri` get 401.
extension SandboxCore {
    func addOAuthRoutes(to router: Router<BasicRequestContext>) {
        router.post("/oauth/token") { request, _ in try await self.issueToken(request) }
    }

    private func issueToken(_ request: Request) async throws -> Response {
        let raw = try await request.body.collect(upTo: 1 << 16)
        let form = Self.parseForm(String(buffer: raw))
        func value(_ snake: String, _ camel: String) -> String? { form[snake] ?? form[camel] }
        guard let clientID = value("client_id", "clientId"), let secret = value("client_secret", "clientSecret"),
            let grantType = value("grant_type", "grantType")
        else { throw APIError.unprocessable("client_id, client_secret and grant_type are required") }
        guard clientID == tokens.clientID, secret == tokens.clientSecret else {
            throw APIError(.unauthorized, "Invalid client credentials")
        }
        let issued: IssuedTokens?
        switch grantType {
        case "refresh_token":
            guard let refresh = value("refresh_token", "refreshToken") else { throw APIError.unprocessable("refresh_token is required") }
            issued = tokens.redeem(.refreshToken(refresh))
        case "authorization_code":
            guard let code = value("code", "code") else { throw APIError.unprocessable("code is required") }
            issued = tokens.redeem(.authorizationCode(code, redirectURI: value("redirect_uri", "redirectUri")))
        default:
            throw APIError.unprocessable("grant_type must be refresh_token or authorization_code")
        }
        guard let issued else { throw APIError(.unauthorized, "Invalid grant: refresh token or code is invalid, expired or already used") }
        var w = JSONWriter()
        w.beginObject()
        w.field("access_token", issued.accessToken)
        w.field("token_type", "Bearer")
        w.field("expires_in", issued.expiresIn)
        w.field("refresh_token", issued.refreshToken)
        w.field("scope", Self.scopes)
        switch issued.subject {
        case .location(let location):
            w.field("userType", "Location")
            w.field("locationId", location)
        case .company:
            w.field("userType", "Company")
            w.field("approvedLocations", strings: agency.locations.filter { agency.installedAt($0) != nil })
            w.field("isBulkInstallation", true)
        }
        w.field("companyId", agency.companyID)
        w.field("userId", "sandbox-user")
        w.endObject()
        return jsonResponse(body: w.bytes)
    }

    static let scopes = "contacts.readonly opportunities.readonly payments/orders.readonly payments/transactions.readonly products.readonly locations.readonly oauth.readonly oauth.write"

    static func parseForm(_ text: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return form
    }
}
