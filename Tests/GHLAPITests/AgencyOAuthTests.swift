import GHLJSON
import Foundation
import GHLSandbox
import Synchronization
import Testing
@testable import GHLAPI

/// The agency OAuth calls: their response types against GHL's OpenAPI file, and against the sandbox.
@Suite struct AgencyOAuthTests {
    static let oauthFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/ghl-api/openapi/oauth.json")

    /// Every JSON key a response type reads is a property of the schema GHL's file gives for it.
    @Test func responseTypesUseTheSchemasPropertyNames() throws {
        let file = try JSONValue(parsing: Array(try Data(contentsOf: Self.oauthFile)))
        let schemas = file["components"]?["schemas"]
        func properties(_ schema: String) throws -> Set<String> {
            Set(try #require(schemas?[schema]?["properties"]?.objectValue, "no schema \(schema)").keys)
        }
        let grant = OAuthGrant(accessToken: "a", tokenType: "Bearer", expiresIn: 1, refreshToken: "r", scope: "s", userType: "Company",
                               locationId: "l", companyId: "c", userId: "u", approvedLocations: ["l"])
        let location = InstalledLocation(id: "l", name: "n", address: "a", isInstalled: true, installedAt: "t")
        let page = InstalledLocations(locations: [location], count: 1, installToFutureLocations: false)
        let token = LocationToken(accessToken: "a", tokenType: "Bearer", expiresIn: 1, scope: "s", locationId: "l", userId: "u")
        func keys(_ value: some Encodable) throws -> Set<String> {
            Set(try #require(try JSONValue(parsing: Array(JSONEncoder().encode(value))).objectValue).keys)
        }
        #expect(try keys(grant).isSubset(of: properties("GetAccessCodeSuccessfulResponseDto")))
        #expect(try keys(location).isSubset(of: properties("InstalledLocationSchema")))
        #expect(try keys(page).isSubset(of: properties("GetInstalledLocationsSuccessfulResponseDto")))
        #expect(try keys(token).isSubset(of: properties("GetLocationAccessTokenSuccessfulResponseDto")))
        #expect(try keys(grant).count == 10 && keys(token).count == 6, "every field encoded, so none escapes the check")
    }

    @Test func aCompanyGrantListsInstalledLocationsAndReachesEachThroughALocationToken() async throws {
        var configuration = SandboxConfiguration()
        configuration.locations = 3
        configuration.installedLocations = 2
        configuration.counts = RecordCounts(contacts: 5, opportunities: 5, orders: 5, transactions: 5, reviews: 5)
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        defer { Task { await sandbox.stop() } }
        let oauth = GHLOAuthClient(baseURL: endpoint.baseURL, clientId: "sandbox-client", clientSecret: "sandbox-secret")
        #expect(oauth.appId == "sandbox")

        let located = try await oauth.exchange(code: sandbox.authorizationCode(location: endpoint.locations[0].locationID), redirectURI: "http://x/cb")
        #expect(!located.isCompany)
        #expect(located.locationId == endpoint.locations[0].locationID)
        await #expect(throws: GHLAPIError.self) { try await oauth.exchange(code: "code-unknown", redirectURI: "http://x/cb") }

        let persisted = Mutex<[GHLAPI.OAuthTokens]>([])
        let company = OAuthSession(baseURL: endpoint.baseURL, clientId: "sandbox-client", clientSecret: "sandbox-secret",
                                   tokens: GHLAPI.OAuthTokens(accessToken: nil, refreshToken: sandbox.companyRefreshToken, expiresAt: nil),
                                   userType: "Company") { fresh in persisted.withLock { $0.append(fresh) } }
        let companyToken = try await company.accessToken()
        let installed = try await oauth.installedLocations(companyToken: companyToken, companyId: sandbox.companyID)
        #expect(installed.map { $0.id } == sandbox.installedLocations)
        #expect(installed.allSatisfy { $0.isInstalled == true && !$0.name.isEmpty })

        let auth = AgencyLocationAuth(company: company, client: oauth, companyId: sandbox.companyID, locationId: installed[1].id)
        let client = GHLClient(baseURL: endpoint.baseURL, locationId: installed[1].id, auth: auth, budget: RateBudget(), retry: .fast)
        #expect(try await client.location().id == installed[1].id)
        let first = try await auth.accessToken()
        #expect(try await auth.accessToken() == first, "kept until it nears expiry")

        sandbox.expireAccessTokens()
        #expect(try await client.location().id == installed[1].id, "an expired location token and Company token are both renewed")
        #expect(try await auth.accessToken() != first)
        #expect(persisted.withLock { $0.count } == 2, "each rotated Company pair persisted before use")
    }
}
