import Foundation
import GHLSandbox
import Synchronization
import Testing
@testable import GHLAPI

/// The client against the in-process sandbox over real HTTP on 127.0.0.1.
@Suite(.serialized) struct SandboxClientTests {
    static let entities: [(GHLResource, SandboxEntity)] = [
        (.contacts, .contacts), (.legacyContacts, .contacts), (.opportunities, .opportunities),
        (.pipelines, .pipelines), (.orders, .orders), (.transactions, .transactions), (.reviews, .reviews),
    ]

    static func withSandbox(contacts: Int = 1234, others: Int = 205, rateLimit: RateLimitSettings = RateLimitSettings(maxRequests: 100_000),
                            _ body: (GHLSandbox, SandboxLocation, GHLClient) async throws -> Void) async throws {
        var configuration = SandboxConfiguration()
        configuration.seed = 7
        configuration.counts = RecordCounts(contacts: contacts, opportunities: others, orders: others,
                                            transactions: others, reviews: others)
        configuration.rateLimit = rateLimit
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        let location = endpoint.locations[0]
        let client = GHLClient(baseURL: endpoint.baseURL, locationId: location.locationID,
                               auth: PrivateIntegrationToken(location.token), budget: RateBudget(), retry: .fast)
        do {
            try await body(sandbox, location, client)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    static func ids(_ sandbox: GHLSandbox, _ entity: SandboxEntity, _ location: String) throws -> [String] {
        try sandbox.records(entity, location: location).map { $0[entity.idKey]!.stringValue! }
    }

    @Test func everyEndpointReachesEveryRecordOnce() async throws {
        try await Self.withSandbox { sandbox, location, client in
            for (resource, entity) in Self.entities {
                sandbox.resetCounters()
                let pages = try await client.allPages(resource)
                let ids = pages.flatMap { $0.records.map(\.id) }
                let expected = try Self.ids(sandbox, entity, location.locationID)
                #expect(ids.count == expected.count, "\(resource)")
                #expect(Set(ids) == Set(expected), "\(resource)")
                #expect(pages.allSatisfy { $0.malformed.isEmpty }, "\(resource)")
                let requests = sandbox.requestCount(location: location.locationID, endpoint: resource.endpoint).requests
                let fewest = resource == .pipelines ? 1 : (expected.count + resource.maxPageSize - 1) / resource.maxPageSize
                #expect(requests <= fewest + 1, "\(resource): \(requests) requests")
            }
            let location = try await client.location()
            #expect(location.id == client.locationId && location.string("name")?.isEmpty == false)
        }
    }

    @Test func incrementalContactsUseTheUpdateFilter() async throws {
        try await Self.withSandbox { sandbox, location, client in
            let since = Date().addingTimeInterval(-1)
            let id = try Self.ids(sandbox, .contacts, location.locationID)[5]
            _ = try sandbox.update(.contacts, location: location.locationID, id: id, patch: ["firstName": "Zoë"])
            let changed = try await client.allPages(.contacts, updatedSince: since).flatMap(\.records)
            #expect(changed.map(\.id) == [id])
            #expect(changed.first?.string("firstName") == "Zoë")
        }
    }

    @Test func faultsEndInTheSameData() async throws {
        try await Self.withSandbox(contacts: 2000) { sandbox, location, client in
            let clean = try await client.allPages(.contacts).flatMap(\.records)
            for kind in [FaultKind.tooManyRequests, .internalServerError, .badGateway, .serviceUnavailable,
                         .cutConnection, .truncatedJSON, .malformedJSON] {
                try sandbox.addFault(FaultRule(kind, everyNth: 2, retryAfterSeconds: 0))
                let records = try await client.allPages(.contacts).flatMap(\.records)
                sandbox.clearFaults()
                #expect(records == clean, "\(kind)")
            }
            #expect(client.counters.retries >= 7)
            // A response slower than the request timeout is abandoned and asked again.
            let impatient = GHLClient(baseURL: client.baseURL, locationId: client.locationId, auth: client.auth,
                                      budget: RateBudget(),
                                      retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(2), requestTimeout: .milliseconds(500)))
            try sandbox.addFault(FaultRule(.slow, next: 1, delayMilliseconds: 3000))
            let afterTimeout = try await impatient.allPages(.contacts).flatMap(\.records)
            #expect(afterTimeout == clean && impatient.counters.retries == 1)
            try sandbox.addFault(FaultRule(.wrongFieldTypes, next: 1))
            // Fields of the wrong type do not lose the record: it comes with what was unexpected.
            let pages = try await client.allPages(.contacts)
            #expect(pages[0].malformed.isEmpty)
            #expect(pages.flatMap(\.records).map(\.id) == clean.map(\.id))
            #expect(pages[0].records[0].unexpectedTypes.contains("dateAdded is a number, expected a string"))
            try sandbox.addFault(FaultRule(.serviceUnavailable, next: 10))
            await #expect {
                _ = try await client.allPages(.orders)
            } throws: { error in
                (error as? GHLAPIError)?.description.hasPrefix("GET /payments/orders failed with HTTP 503 after 4 attempts") == true
            }
        }
    }

    @Test func oauthRefreshAgainstTheSandbox() async throws {
        try await Self.withSandbox(contacts: 10) { sandbox, location, plain in
            let stored = Shared<[OAuthTokens]>([])
            let session = OAuthSession(baseURL: sandbox.baseURL!, clientId: sandbox.oauthClientID,
                                       clientSecret: sandbox.oauthClientSecret,
                                       tokens: OAuthTokens(accessToken: nil, refreshToken: location.refreshToken, expiresAt: nil)) {
                tokens in stored.withLock { $0.append(tokens) }
            }
            let client = GHLClient(baseURL: sandbox.baseURL!, locationId: location.locationID, auth: session,
                                   budget: RateBudget(), retry: .fast)
            let first = try await client.allPages(.contacts).flatMap(\.records)
            #expect(first.count == 10)
            sandbox.expireAccessTokens()
            let second = try await client.allPages(.contacts).flatMap(\.records)
            #expect(second.count == 10)
            let tokens = stored.withLock { $0 }
            #expect(tokens.count == 2)
            #expect(Set(tokens.map(\.refreshToken)).count == 2 && !tokens.contains { $0.refreshToken == location.refreshToken })
            #expect(await session.currentTokens == tokens.last)
        }
    }
}
