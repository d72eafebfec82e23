import Foundation
import Testing
@testable import GHLAPI

@Suite struct FaultTests {
    /// Every fault kind, injected on several requests of a listing, ends in
    /// exactly the records a clean run gets.
    @Test func faultsEndInTheSameDataAfterRetries() async throws {
        let clean = try await FakeGHL(contacts: 1200).client().allPages(.contacts).flatMap(\.records)
        let server = FakeGHL(contacts: 1200)
        server.inject(.status(500), .cut, .truncated)
        server.onRequest.withLock {
            $0 = { number, server in
                if number == 5 { server.inject(.status(429, retryAfter: "0"), .status(502), .status(503)) }
            }
        }
        let client = server.client()
        let records = try await client.allPages(.contacts).flatMap(\.records)
        #expect(records == clean)
        #expect(client.counters.retries == 6)
        #expect(client.counters.rateLimited == 1)
        #expect(client.counters.requests == 3 + 6)
    }

    @Test func persistentFailureNamesEndpointAndStatus() async throws {
        let server = FakeGHL(contacts: 10)
        server.inject(.status(503), .status(503), .status(503), .status(503))
        await #expect {
            _ = try await server.client().allPages(.contacts)
        } throws: { error in
            let error = error as! GHLAPIError
            return error.endpoint == "POST /contacts/search" && error.status == 503 && error.attempts == 4
                && error.message == "injected"
                && error.description == "POST /contacts/search failed with HTTP 503 after 4 attempts: injected"
        }
        #expect(server.requestCount == 4)
    }

    @Test func truncatedBodiesToTheEndAreAnInvalidResponse() async throws {
        let server = FakeGHL(orders: 3)
        server.inject(.truncated, .truncated, .truncated, .truncated)
        await #expect {
            _ = try await server.client().allPages(.orders)
        } throws: { error in
            (error as? GHLAPIError)?.kind == .invalidResponse && (error as? GHLAPIError)?.endpoint == "GET /payments/orders"
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = FakeGHL(reviews: 3)
        server.inject(.status(422))
        await #expect {
            _ = try await server.client().allPages(.reviews)
        } throws: { error in
            let error = error as! GHLAPIError
            return error.status == 422 && error.attempts == 1 && error.kind == .status
        }
        #expect(server.requestCount == 1)
    }

    @Test func wrongTokenIsAClear401() async throws {
        let server = FakeGHL(contacts: 1)
        await #expect {
            _ = try await server.client(auth: PrivateIntegrationToken("nope")).allPages(.contacts)
        } throws: { error in
            (error as? GHLAPIError)?.status == 401 && (error as? GHLAPIError)?.message == "Invalid JWT"
        }
        #expect(server.requestCount == 1)
    }

    @Test func retryAfterIsHonouredInSecondsAndDates() {
        #expect(GHLClient.retryAfter("2") == .seconds(2))
        #expect(GHLClient.retryAfter("0.25") == .milliseconds(250))
        #expect(GHLClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == .zero)
        #expect(GHLClient.retryAfter("soon") == nil)
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(3)) == .seconds(3))
        #expect(policy.delay(beforeRetry: 10, retryAfter: nil) <= .seconds(1))
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil) >= .milliseconds(200))
    }
}

@Suite struct RateBudgetTests {
    /// 20 requests per second, sliding window: the budget paces 60 requests
    /// from three concurrent listings without a single 429.
    @Test func pacingAvoids429s() async throws {
        let server = FakeGHL(contacts: 20, opportunities: 2000, orders: 2000, reviews: 2000)
        server.state.withLock { $0.rateLimit = (max: 20, interval: .seconds(1)) }
        let client = server.client(retry: RetryPolicy(maxAttempts: 1))
        try await withThrowingTaskGroup(of: Int.self) { group in
            for resource in [GHLResource.opportunities, .orders, .reviews] {
                group.addTask { try await client.allPages(resource, pageSize: 100).count }
            }
            for try await pages in group { #expect(pages == 20) }
        }
        #expect(server.state.withLock { $0.served429 } == 0)
        #expect(client.counters.rateLimited == 0)
        let budget = client.budget
        #expect(await budget.limits?.max == 20)
        #expect(budget.metrics.snapshot.throttledSeconds > 0)
    }

    @Test func withoutRateHeadersNothingWaits() async throws {
        let server = FakeGHL(orders: 1000)
        let client = server.client()
        _ = try await client.allPages(.orders, pageSize: 10)
        #expect(client.budget.metrics.snapshot.throttledSeconds == 0)
        #expect(client.budget.metrics.snapshot.requests == 100)
    }

    @Test func a429PausesTheWholeLocation() async throws {
        let budget = RateBudget()
        await budget.pause(for: .milliseconds(50))
        try await budget.acquire()
        #expect(budget.metrics.snapshot.throttledSeconds > 0)
    }

    @Test func anExhaustedDailyLimitFailsAtOnce() async throws {
        let server = FakeGHL(orders: 300)
        server.state.withLock { $0.rateLimit = (max: 100, interval: .seconds(10)) }
        server.state.withLock { $0.dailyRemaining = 1 }
        await #expect {
            _ = try await server.client().allPages(.orders)
        } throws: { error in
            (error as? GHLAPIError)?.kind == .rateLimited
                && (error as? GHLAPIError)?.message == "the location's daily request limit is used up"
        }
        // The first response says no request is left for today: the second is never sent.
        #expect(server.requestCount == 1)
    }

    @Test func registrySharesOneBudgetPerLocation() {
        let registry = RateBudgetRegistry()
        let a = registry.budget(baseURL: "http://x", locationId: "l1")
        #expect(a === registry.budget(baseURL: "http://x", locationId: "l1"))
        #expect(a !== registry.budget(baseURL: "http://x", locationId: "l2"))
        #expect(a !== registry.budget(baseURL: "http://y", locationId: "l1"))
    }
}
