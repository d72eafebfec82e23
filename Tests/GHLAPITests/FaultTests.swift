import Foundation
import GHLSandbox
import Testing
@testable import GHLAPI

/// The client's retries against the sandbox's fault injection, over real HTTP.
@Suite(.serialized) struct FaultTests {
    /// Six faults in a row on the first page (500, a cut connection, a truncated body, 429,
    /// 502, 503), each retried, end in exactly the records a clean run gets.
    @Test func faultsEndInTheSameDataAfterRetries() async throws {
        try await SandboxClientTests.withSandbox(contacts: 1200) { sandbox, location, client in
            let clean = try await client.allPages(.contacts).flatMap(\.records)
            let faulty = GHLClient(baseURL: client.baseURL, locationId: client.locationId, auth: client.auth,
                                   budget: RateBudget(), retry: RetryPolicy(maxAttempts: 7, baseDelay: .milliseconds(2), maxDelay: .milliseconds(20)))
            for kind in [FaultKind.internalServerError, .cutConnection, .truncatedJSON, .tooManyRequests, .badGateway, .serviceUnavailable] {
                try sandbox.addFault(FaultRule(kind, next: 1, retryAfterSeconds: 0))
            }
            let records = try await faulty.allPages(.contacts).flatMap(\.records)
            #expect(records == clean)
            #expect(faulty.counters.retries == 6)
            #expect(faulty.counters.rateLimited == 1)
            #expect(faulty.counters.requests == 3 + 6)
        }
    }

    @Test func persistentFailureNamesEndpointAndStatus() async throws {
        try await SandboxClientTests.withSandbox(contacts: 10) { sandbox, location, client in
            try sandbox.addFault(FaultRule(.serviceUnavailable, next: 4))
            await #expect {
                _ = try await client.allPages(.contacts)
            } throws: { error in
                let error = error as! GHLAPIError
                return error.endpoint == "POST /contacts/search" && error.status == 503 && error.attempts == 4
                    && error.message == "Service Unavailable"
                    && error.description == "POST /contacts/search failed with HTTP 503 after 4 attempts: Service Unavailable"
            }
            #expect(sandbox.requestCount(location: location.locationID).requests == 4)
        }
    }

    @Test func truncatedBodiesToTheEndAreAnInvalidResponse() async throws {
        try await SandboxClientTests.withSandbox(contacts: 10, others: 3) { sandbox, location, client in
            try sandbox.addFault(FaultRule(.truncatedJSON, next: 4))
            await #expect {
                _ = try await client.allPages(.orders)
            } throws: { error in
                (error as? GHLAPIError)?.kind == .invalidResponse && (error as? GHLAPIError)?.endpoint == "GET /payments/orders"
            }
            #expect(sandbox.requestCount(location: location.locationID).requests == 4)
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        try await SandboxClientTests.withSandbox(contacts: 10, others: 3) { sandbox, location, client in
            try sandbox.addFault(FaultRule(.unprocessableEntity, next: 1))
            await #expect {
                _ = try await client.allPages(.reviews)
            } throws: { error in
                let error = error as! GHLAPIError
                return error.status == 422 && error.attempts == 1 && error.kind == .status
            }
            #expect(sandbox.requestCount(location: location.locationID).requests == 1)
        }
    }

    @Test func wrongTokenIsAClear401() async throws {
        try await SandboxClientTests.withSandbox(contacts: 1) { sandbox, location, client in
            let stranger = GHLClient(baseURL: client.baseURL, locationId: client.locationId, auth: PrivateIntegrationToken("nope"),
                                     budget: RateBudget(), retry: .fast)
            await #expect {
                _ = try await stranger.allPages(.contacts)
            } throws: { error in
                (error as? GHLAPIError)?.status == 401 && (error as? GHLAPIError)?.message == "Invalid token: access token is invalid"
            }
            #expect(stranger.counters.requests == 1)
        }
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

@Suite(.serialized) struct RateBudgetTests {
    /// 20 requests per second on the sandbox: the budget paces 60 requests from three
    /// concurrent listings without a single 429 (one would fail them: no retries), in the
    /// fewest requests, having waited for the window.
    @Test func pacingAvoids429s() async throws {
        try await SandboxClientTests.withSandbox(contacts: 20, others: 2000,
                                                 rateLimit: RateLimitSettings(maxRequests: 20, windowMilliseconds: 1000)) { sandbox, location, plain in
            let client = GHLClient(baseURL: plain.baseURL, locationId: plain.locationId, auth: plain.auth, budget: RateBudget(),
                                   retry: RetryPolicy(maxAttempts: 1))
            try await withThrowingTaskGroup(of: Int.self) { group in
                for resource in [GHLResource.opportunities, .orders, .reviews] {
                    group.addTask { try await client.allPages(resource, pageSize: 100).count }
                }
                for try await pages in group { #expect(pages == 20) }
            }
            let served = sandbox.requestCount(location: location.locationID)
            #expect(served.requests == 60 && served.rateLimited == 0)
            #expect(client.counters.rateLimited == 0)
            let budget = client.budget
            #expect(await budget.limits?.max == 20)
            #expect(budget.metrics.snapshot.throttledSeconds > 0)
        }
    }

    /// A server that sends no rate headers sets no limits, so the budget never waits.
    @Test func withoutRateHeadersNothingWaits() async throws {
        try await SandboxClientTests.withSandbox(contacts: 1, others: 1000) { sandbox, _, client in
            try sandbox.addFault(FaultRule(.noRateHeaders, everyNth: 1))
            _ = try await client.allPages(.orders, pageSize: 10)
            #expect(await client.budget.limits == nil)
            #expect(client.budget.metrics.snapshot.throttledSeconds == 0)
            #expect(client.budget.metrics.snapshot.requests == 100)
        }
    }

    @Test func a429PausesTheWholeLocation() async throws {
        let budget = RateBudget()
        await budget.pause(for: .milliseconds(50))
        try await budget.acquire()
        #expect(budget.metrics.snapshot.throttledSeconds > 0)
    }

    @Test func anExhaustedDailyLimitFailsAtOnce() async throws {
        try await SandboxClientTests.withSandbox(contacts: 10, others: 300,
                                                 rateLimit: RateLimitSettings(maxRequests: 100, dailyLimit: 1)) { sandbox, location, client in
            await #expect {
                _ = try await client.allPages(.orders)
            } throws: { error in
                (error as? GHLAPIError)?.kind == .rateLimited
                    && (error as? GHLAPIError)?.message == "the location's daily request limit is used up"
            }
            // The first response says no request is left for today: the second is never sent.
            #expect(sandbox.requestCount(location: location.locationID).requests == 1)
        }
    }

    /// A window GHL says is exhausted by this budget's own requests is waited
    /// for until its oldest request leaves it, not for a whole interval from
    /// the response (which stalled a large agency's sync for seconds a window).
    @Test func aWindowItsOwnRequestsFilledIsWaitedForNotPaused() async throws {
        let budget = RateBudget()
        await budget.record(Self.limits(max: 5, remaining: 5, intervalMs: 2_000))
        let start = ContinuousClock.now
        for _ in 0..<5 { try await budget.acquire() }
        try await Task.sleep(for: .seconds(1))
        await budget.record(Self.limits(max: 5, remaining: 0, intervalMs: 2_000))
        try await budget.acquire()
        // The sixth request leaves once the first has left the window (2.06 s after
        // the start); a pause from the response would hold it until 3 s at least.
        let sixth = ContinuousClock.now - start
        #expect(sixth >= .milliseconds(2_000))
        #expect(sixth < .milliseconds(2_800))
    }

    /// An exhausted window this budget did not fill (another app instance
    /// shares the location's budget) pauses every request for an interval.
    @Test func aWindowSomeoneElseFilledPausesForAnInterval() async throws {
        let budget = RateBudget()
        await budget.record(Self.limits(max: 5, remaining: 0, intervalMs: 1_000))
        let waited = try await budget.acquire().waited
        #expect(waited > .milliseconds(900))
    }

    /// Room a fixed-window server reports is used at once: after a window
    /// whose requests were spread out, the next one's go as soon as a
    /// response says it opened, not at the pace the last one's were sent.
    @Test func roomTheServerReportsIsUsedAtOnce() async throws {
        try await SandboxClientTests.withSandbox(contacts: 10, others: 10,
                                                 rateLimit: RateLimitSettings(maxRequests: 5, windowMilliseconds: 1_000)) { sandbox, location, client in
            let start = ContinuousClock.now
            for _ in 0..<5 {
                _ = try await client.total(of: .orders)
                try await Task.sleep(for: .milliseconds(150))
            }
            var sent: [Duration] = []
            for _ in 0..<5 {
                _ = try await client.total(of: .orders)
                sent.append(ContinuousClock.now - start)
            }
            // The sixth waits for the first to leave the window (1.03 s); its response says 4 more fit.
            // Counting its own requests alone, the budget would hold the tenth until 1.63 s.
            #expect(sent[0] >= .milliseconds(1_000))
            #expect(sent[4] < .milliseconds(1_400))
            #expect(sandbox.requestCount(location: location.locationID).rateLimited == 0)
        }
    }

    /// Room is counted down by every request that may reach the server after
    /// the one that reported it, so concurrent requests never overrun it.
    @Test func roomIsSharedByRequestsInFlight() async throws {
        try await SandboxClientTests.withSandbox(contacts: 10, others: 10,
                                                 rateLimit: RateLimitSettings(maxRequests: 20, windowMilliseconds: 1_000)) { sandbox, location, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { for _ in 0..<10 { _ = try await client.total(of: .orders) } }
                }
                try await group.waitForAll()
            }
            let count = sandbox.requestCount(location: location.locationID)
            #expect(count.requests == 80)
            #expect(count.rateLimited == 0)
        }
    }

    static func limits(max: Int, remaining: Int, intervalMs: Int) -> GHLHTTPResponse {
        GHLHTTPResponse(status: 200, headers: [("X-RateLimit-Max", "\(max)"), ("X-RateLimit-Remaining", "\(remaining)"),
                                               ("X-RateLimit-Interval-Milliseconds", "\(intervalMs)")], body: [])
    }

    @Test func registrySharesOneBudgetPerLocation() {
        let registry = RateBudgetRegistry()
        let a = registry.budget(baseURL: "http://x", locationId: "l1")
        #expect(a === registry.budget(baseURL: "http://x", locationId: "l1"))
        #expect(a !== registry.budget(baseURL: "http://x", locationId: "l2"))
        #expect(a !== registry.budget(baseURL: "http://y", locationId: "l1"))
    }
}
