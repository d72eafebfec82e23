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

    /// Two processes refreshing one credentials file at the same moment: the
    /// file's lock lets one refresh, and the other takes up the pair it stored
    /// instead of spending the same refresh token again.
    @Test func twoSessionsOfOneFileRefreshingAtOnceSpendItsRefreshTokenOnce() async throws {
        let sandbox = try GHLSandbox(configuration: SandboxConfiguration())
        let endpoint = try await sandbox.start()
        let test = try TestStore()
        defer { test.cleanup() }
        let location = endpoint.locations[0]
        let file = test.directory.appendingPathComponent("oauth.json").path
        try SourceCredentials.writeSecrets(SourceCredentials.OAuthSecret(
            clientId: sandbox.oauthClientID, clientSecret: sandbox.oauthClientSecret, refreshToken: location.refreshToken,
            accessToken: nil, expiresAt: nil, userType: "Location", companyId: nil, locationId: location.locationID), to: file)
        // Each session stands for a process: its own lock descriptor, its tokens read from the file before either refreshed.
        let sessions = (0..<2).map { _ in
            SourceCredentials.session(try! SourceCredentials.readSecrets(file), baseURL: endpoint.baseURL, tokenFile: file)
        }
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for session in sessions { group.addTask { try await session.accessToken() } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(tokens.count == 2 && Set(tokens).count == 1, "both use the one fresh access token")
        #expect(sessions.map(\.counters.requests).reduce(0, +) == 1, "one refresh request in all")
        let stored = try SourceCredentials.readSecrets(file)
        #expect(stored.refreshToken != location.refreshToken && stored.accessToken == tokens[0])
        // The stored refresh token is the live one: a later refresh from the file works.
        let later = SourceCredentials.session(stored, baseURL: endpoint.baseURL, tokenFile: file)
        sandbox.expireAccessTokens()
        _ = try await later.tokenAfterUnauthorized(rejectedToken: tokens[0])
        #expect(later.counters.requests == 1)
        await sandbox.stop()
    }
}
