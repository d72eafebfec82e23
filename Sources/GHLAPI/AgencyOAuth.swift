import Foundation

/// The OAuth calls of an agency connection (shared/ghl-api/openapi/oauth.json): the code exchange
/// at `POST /oauth/token`, the installed locations of a company, and a location token minted from a
/// Company token. Not rate-budgeted per location: these are the agency's own few calls.
public struct GHLOAuthClient: Sendable {
    public let baseURL: String
    public let clientId: String
    let clientSecret: String
    let transport: any GHLTransport

    public init(baseURL: String = GHLClient.productionURL, clientId: String, clientSecret: String,
                transport: any GHLTransport = AsyncHTTPTransport()) {
        self.baseURL = baseURL
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.transport = transport
    }

    /// GHL's client ids are `<appId>-<suffix>`; `installedLocations` takes the app id.
    public var appId: String { clientId.split(separator: "-", maxSplits: 1).first.map(String.init) ?? clientId }

    /// `grant_type=authorization_code`: a Location or Company token pair.
    public func exchange(code: String, redirectURI: String) async throws -> OAuthGrant {
        try await send("POST", "/oauth/token", endpoint: "POST /oauth/token", form: [
            ("client_id", clientId), ("client_secret", clientSecret), ("grant_type", "authorization_code"),
            ("code", code), ("redirect_uri", redirectURI),
        ])
    }

    /// Every location of the company where the app is installed (`isInstalled=true`), all pages.
    public func installedLocations(companyToken: String, companyId: String) async throws -> [InstalledLocation] {
        var all: [InstalledLocation] = []
        while true {
            let page: InstalledLocations = try await send(
                "GET", "/oauth/installedLocations", endpoint: "GET /oauth/installedLocations", bearer: companyToken,
                query: [("companyId", companyId), ("appId", appId), ("isInstalled", "true"),
                        ("skip", String(all.count)), ("limit", String(Self.installedPageSize))])
            all += page.locations
            if page.locations.count < Self.installedPageSize || all.count >= Int(page.count ?? 0) { return all }
        }
    }

    static let installedPageSize = 100

    /// `POST /oauth/locationToken`: a Location access token (no refresh token) from a Company token.
    public func locationToken(companyToken: String, companyId: String, locationId: String) async throws -> LocationToken {
        try await send("POST", "/oauth/locationToken", endpoint: "POST /oauth/locationToken", bearer: companyToken,
                       form: [("companyId", companyId), ("locationId", locationId)])
    }

    private func send<T: Decodable>(_ method: String, _ path: String, endpoint: String, bearer: String? = nil,
                                    query: [(String, String)] = [], form: [(String, String)]? = nil) async throws -> T {
        var url = GHLClient.join(baseURL, path)
        if !query.isEmpty { url += "?" + Self.encode(query) }
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("Version", GHLClient.apiVersion)]
        if let bearer { headers.append(("Authorization", "Bearer \(bearer)")) }
        if form != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        let request = GHLHTTPRequest(method: method, url: url, headers: headers, body: form.map { Array(Self.encode($0).utf8) })
        let response: GHLHTTPResponse
        do { response = try await transport.send(request, timeout: .seconds(30)) } catch {
            throw GHLAPIError(kind: .transport, endpoint: endpoint, status: nil, message: "\(error)", attempts: 1)
        }
        guard response.status == 200 else {
            throw GHLAPIError(kind: response.status == 401 ? .authentication : .status, endpoint: endpoint, status: response.status,
                              message: GHLAPIError.message(fromBody: response.body), attempts: 1)
        }
        do { return try JSONDecoder().decode(T.self, from: Data(response.body)) } catch {
            throw GHLAPIError(kind: .invalidResponse, endpoint: endpoint, status: 200, message: "unexpected body: \(error)", attempts: 1)
        }
    }

    private static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(GHLClient.percentEncode($0.0))=\(GHLClient.percentEncode($0.1))" }.joined(separator: "&")
    }
}

/// `GetAccessCodeSuccessfulResponseDto`: what `POST /oauth/token` answers.
public struct OAuthGrant: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String?
    public var expiresIn: Double?
    public var refreshToken: String
    public var scope: String?
    /// `Location` or `Company`.
    public var userType: String?
    public var locationId: String?
    public var companyId: String?
    public var userId: String?
    public var approvedLocations: [String]?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token"
        case scope, userType, locationId, companyId, userId, approvedLocations
    }

    public var isCompany: Bool { userType == "Company" }
}

/// `InstalledLocationSchema`: one location of the company and whether the app is installed there.
public struct InstalledLocation: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var address: String?
    public var isInstalled: Bool?
    public var installedAt: String?

    enum CodingKeys: String, CodingKey {
        case id = "_id", name, address, isInstalled, installedAt
    }
}

/// `GetInstalledLocationsSuccessfulResponseDto`: one page of a company's locations.
public struct InstalledLocations: Codable, Sendable, Equatable {
    public var locations: [InstalledLocation]
    public var count: Double?
    public var installToFutureLocations: Bool?
}

/// `GetLocationAccessTokenSuccessfulResponseDto`: a Location access token minted from a Company token.
public struct LocationToken: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String?
    public var expiresIn: Double?
    public var scope: String?
    public var locationId: String?
    public var userId: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", scope, locationId, userId
    }
}
