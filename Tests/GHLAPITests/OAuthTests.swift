import Foundation
import Synchronization
import Testing
@testable import GHLAPI

@Suite struct OAuthTests {
    func session(_ server: FakeGHL, log: Shared<[String]>, failPersist: Shared<Bool> = Shared(false)) -> OAuthSession {
        OAuthSession(baseURL: "http://fake", clientId: "client", clientSecret: "secret",
                     tokens: OAuthTokens(accessToken: "expired", refreshToken: "refresh-0", expiresAt: nil),
                     transport: server.transport) { tokens in
            if failPersist.withLock({ $0 }) { throw CocoaError(.fileWriteNoPermission) }
            // What the API has seen with the new access token when it is persisted.
            let uses = server.requests.filter { $0.headers.contains { $0.value == "Bearer \(tokens.accessToken!)" } }.count
            log.withLock { $0.append("persist \(tokens.refreshToken) after \(uses) uses") }
        }
    }

    @Test func refreshesOn401AndPersistsTheRotatedTokenFirst() async throws {
        let server = FakeGHL(contacts: 3)
        let log = Shared<[String]>([])
        let auth = session(server, log: log)
        let records = try await server.client(auth: auth).allPages(.contacts).flatMap(\.records)
        #expect(records.count == 3)
        #expect(log.withLock { $0 } == ["persist refresh-1 after 0 uses"])
        #expect(await auth.currentTokens.refreshToken == "refresh-1")
        #expect(await auth.currentTokens.accessToken == "access-1")
        let form = String(decoding: server.requests.first { $0.url.hasSuffix("/oauth/token") }!.body!, as: UTF8.self)
        #expect(form == "client_id=client&client_secret=secret&grant_type=refresh_token&refresh_token=refresh-0&user_type=Location")
        // The next 401 rotates again: the used refresh token is never sent twice.
        server.state.withLock { $0.accessTokens = [] }
        _ = try await server.client(auth: auth).location()
        #expect(log.withLock { $0 }.last == "persist refresh-2 after 0 uses")
        #expect(server.state.withLock { $0.refreshes } == 2)
    }

    @Test func concurrentRequestsRefreshOnce() async throws {
        let server = FakeGHL(contacts: 3, opportunities: 3, orders: 3, transactions: 3, reviews: 3)
        let log = Shared<[String]>([])
        let client = server.client(auth: session(server, log: log))
        try await withThrowingTaskGroup(of: Int.self) { group in
            for resource in [GHLResource.contacts, .opportunities, .orders, .transactions, .reviews] {
                group.addTask { try await client.allPages(resource).flatMap(\.records).count }
            }
            for try await count in group { #expect(count == 3) }
        }
        #expect(server.state.withLock { $0.refreshes } == 1)
        #expect(log.withLock { $0.count } == 1)
    }

    @Test func unpersistedTokensFailTheRequestAndArePersistedLater() async throws {
        let server = FakeGHL(contacts: 3)
        let log = Shared<[String]>([])
        let failPersist = Shared(true)
        let client = server.client(auth: session(server, log: log, failPersist: failPersist))
        await #expect {
            _ = try await client.allPages(.contacts)
        } throws: { error in
            (error as? GHLAPIError)?.kind == .authentication
                && (error as? GHLAPIError)?.message.hasPrefix("could not persist the rotated refresh token") == true
        }
        #expect(!server.requests.contains { $0.headers.contains { $0.value == "Bearer access-1" } })
        failPersist.withLock { $0 = false }
        #expect(try await client.allPages(.contacts).flatMap(\.records).count == 3)
        #expect(log.withLock { $0 } == ["persist refresh-1 after 0 uses"])
        #expect(server.state.withLock { $0.refreshes } == 1)
    }

    @Test func aRejectedRefreshTokenIsAClearError() async throws {
        let server = FakeGHL(contacts: 1)
        server.state.withLock { $0.refreshToken = "someone-else-rotated-it" }
        await #expect {
            _ = try await server.client(auth: session(server, log: Shared([]))).allPages(.contacts)
        } throws: { error in
            let error = error as! GHLAPIError
            return error.endpoint == "POST /oauth/token" && error.status == 401 && error.message == "Invalid refresh token"
        }
    }
}
