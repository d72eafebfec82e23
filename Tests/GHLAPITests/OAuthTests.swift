import Foundation
import GHLSandbox
import Synchronization
import Testing
@testable import GHLAPI

/// OAuth sessions against the sandbox's token endpoint (refresh tokens that work once),
/// with the requests recorded to see what was sent when.
@Suite(.serialized) struct OAuthTests {
    /// A session that starts with an access token GHL rejects, so the first request refreshes.
    func session(_ sandbox: GHLSandbox, refreshToken: String, transport: RecordingTransport, log: Shared<[String]>,
                 failPersist: Shared<Bool> = Shared(false)) -> OAuthSession {
        OAuthSession(baseURL: sandbox.baseURL!, clientId: sandbox.oauthClientID, clientSecret: sandbox.oauthClientSecret,
                     tokens: OAuthTokens(accessToken: "expired", refreshToken: refreshToken, expiresAt: nil),
                     transport: transport) { tokens in
            if failPersist.withLock({ $0 }) { throw CocoaError(.fileWriteNoPermission) }
            // What the API has seen with the new access token when it is persisted.
            log.withLock { $0.append("persist after \(transport.uses(of: tokens.accessToken)) uses") }
        }
    }

    func client(_ sandbox: GHLSandbox, _ location: SandboxLocation, _ auth: OAuthSession, _ transport: RecordingTransport) -> GHLClient {
        GHLClient(baseURL: sandbox.baseURL!, locationId: location.locationID, auth: auth, budget: RateBudget(),
                  transport: transport, retry: .fast)
    }

    @Test func refreshesOn401AndPersistsTheRotatedTokenFirst() async throws {
        try await SandboxClientTests.withSandbox(contacts: 3) { sandbox, location, _ in
            let transport = RecordingTransport(), log = Shared<[String]>([])
            let auth = session(sandbox, refreshToken: location.refreshToken, transport: transport, log: log)
            let records = try await client(sandbox, location, auth, transport).allPages(.contacts).flatMap(\.records)
            #expect(records.count == 3)
            #expect(log.withLock { $0 } == ["persist after 0 uses"])
            let first = await auth.currentTokens
            #expect(first.refreshToken != location.refreshToken && first.accessToken != "expired")
            let form = String(decoding: try #require(transport.requests.first { $0.url.hasSuffix("/oauth/token") }?.body), as: UTF8.self)
            #expect(form == "client_id=\(sandbox.oauthClientID)&client_secret=\(sandbox.oauthClientSecret)"
                + "&grant_type=refresh_token&refresh_token=\(location.refreshToken)&user_type=Location")
            // The next 401 rotates again: the used refresh token is never sent twice.
            sandbox.expireAccessTokens()
            _ = try await client(sandbox, location, auth, transport).location()
            #expect(log.withLock { $0 } == ["persist after 0 uses", "persist after 0 uses"])
            #expect(transport.refreshes == 2)
            #expect(await auth.currentTokens.refreshToken != first.refreshToken)
        }
    }

    @Test func concurrentRequestsRefreshOnce() async throws {
        try await SandboxClientTests.withSandbox(contacts: 3, others: 3) { sandbox, location, _ in
            let transport = RecordingTransport(), log = Shared<[String]>([])
            let client = client(sandbox, location, session(sandbox, refreshToken: location.refreshToken, transport: transport, log: log), transport)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for resource in [GHLResource.contacts, .opportunities, .orders, .transactions, .reviews] {
                    group.addTask { try await client.allPages(resource).flatMap(\.records).count }
                }
                for try await count in group { #expect(count == 3) }
            }
            #expect(transport.refreshes == 1)
            #expect(log.withLock { $0.count } == 1)
        }
    }

    @Test func unpersistedTokensFailTheRequestAndArePersistedLater() async throws {
        try await SandboxClientTests.withSandbox(contacts: 3) { sandbox, location, _ in
            let transport = RecordingTransport(), log = Shared<[String]>([]), failPersist = Shared(true)
            let auth = session(sandbox, refreshToken: location.refreshToken, transport: transport, log: log, failPersist: failPersist)
            let client = client(sandbox, location, auth, transport)
            await #expect {
                _ = try await client.allPages(.contacts)
            } throws: { error in
                (error as? GHLAPIError)?.kind == .authentication
                    && (error as? GHLAPIError)?.message.hasPrefix("could not persist the rotated refresh token") == true
            }
            let beforePersisting = transport.requests
            failPersist.withLock { $0 = false }
            #expect(try await client.allPages(.contacts).flatMap(\.records).count == 3)
            #expect(log.withLock { $0 } == ["persist after 0 uses"])
            // The same rotated pair, persisted now; it was never used before.
            #expect(transport.refreshes == 1)
            let fresh = try #require(await auth.currentTokens.accessToken)
            #expect(!beforePersisting.contains { $0.headers.contains { $0 == ("Authorization", "Bearer \(fresh)") } })
        }
    }

    @Test func aRejectedRefreshTokenIsAClearError() async throws {
        try await SandboxClientTests.withSandbox(contacts: 1) { sandbox, location, _ in
            let transport = RecordingTransport()
            let auth = session(sandbox, refreshToken: "someone-else-rotated-it", transport: transport, log: Shared([]))
            await #expect {
                _ = try await client(sandbox, location, auth, transport).allPages(.contacts)
            } throws: { error in
                let error = error as! GHLAPIError
                return error.endpoint == "POST /oauth/token" && error.status == 401
                    && error.message == "Invalid grant: refresh token or code is invalid, expired or already used"
            }
        }
    }
}
