import Foundation
import GHLAPI
import GHLSandbox
import GHLStore
@testable import GHLSync
import Testing

/// Sources that reach GHL through an agency's Company credentials file.
@Suite struct AgencyCredentialsTests {
    @Test func theLocationsShareOneCompanySessionAndTakeUpATokenAnotherProcessRotated() async throws {
        var configuration = SandboxConfiguration()
        configuration.locations = 2
        configuration.counts = RecordCounts(contacts: 3, opportunities: 1, orders: 1, transactions: 1, reviews: 1)
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        let test = try TestStore()
        defer { test.cleanup() }
        let file = test.directory.appendingPathComponent("agency.json").path
        let secret = SourceCredentials.OAuthSecret(
            clientId: "sandbox-client", clientSecret: "sandbox-secret", refreshToken: sandbox.companyRefreshToken, accessToken: nil,
            expiresAt: nil, userType: "Company", companyId: sandbox.companyID, locationId: nil)
        try SourceCredentials.writeSecrets(secret, to: file)
        let plan = try await test.store.importAgency(companyId: sandbox.companyID, apiBase: endpoint.baseURL, tokenFile: file,
                                               locations: endpoint.locations.map { AgencyLocation(locationId: $0.locationID, name: "L") })
        let (a, b) = (plan.added[0], plan.added[1])
        func location(_ source: Source) async throws -> String {
            let client = GHLClient(baseURL: endpoint.baseURL, locationId: source.locationId, auth: try SourceCredentials.auth(for: source),
                                   budget: RateBudget())
            return try await client.location().id
        }
        #expect(try await location(a) == a.locationId)
        #expect(try await location(b) == b.locationId)
        let once = try SourceCredentials.readSecrets(file).refreshToken
        #expect(once != sandbox.companyRefreshToken, "the first refresh rotated the file's token")

        // Another process refreshes the Company token from the file: the one this process holds is spent.
        let other = OAuthSession(baseURL: endpoint.baseURL, clientId: "sandbox-client", clientSecret: "sandbox-secret",
                                 tokens: OAuthTokens(accessToken: nil, refreshToken: once, expiresAt: nil), userType: "Company") { fresh in
            var updated = try SourceCredentials.readSecrets(file)
            updated.refreshToken = fresh.refreshToken
            updated.accessToken = fresh.accessToken
            try SourceCredentials.writeSecrets(updated, to: file)
        }
        _ = try await other.accessToken()
        sandbox.expireAccessTokens()
        #expect(try await location(a) == a.locationId, "the session is made again from the rotated file")
        #expect(try SourceCredentials.readSecrets(file).refreshToken != once)
        await sandbox.stop()
    }
}
