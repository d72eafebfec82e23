import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct RateLimitTests {
    static let headerNames = [
        "X-RateLimit-Limit-Daily", "X-RateLimit-Daily-Remaining", "X-RateLimit-Interval-Milliseconds", "X-RateLimit-Max",
        "X-RateLimit-Remaining",
    ]

    @Test func headersOnEveryResponseAnd429PastTheLimit() async throws {
        let sandbox = try makeSandbox {
            $0.locations = 2
            $0.rateLimit = RateLimitSettings(maxRequests: 3, windowMilliseconds: 60_000, dailyLimit: 50)
        }
        let (a, b) = (sandbox.locations[0], sandbox.locations[1])
        try await withRouter(sandbox) { client in
            let path = "/products/reviews?altId=\(a.locationID)&altType=location"
            var remaining: [String] = []
            for _ in 0..<3 {
                let response = try await client.api(.get, path, token: a.token)
                #expect(response.status == .ok)
                for name in Self.headerNames { #expect(response.headers[HTTPField.Name(name)!] != nil, "\(name)") }
                #expect(response.headers[HTTPField.Name("X-RateLimit-Max")!] == "3")
                #expect(response.headers[HTTPField.Name("X-RateLimit-Interval-Milliseconds")!] == "60000")
                remaining.append(response.headers[HTTPField.Name("X-RateLimit-Remaining")!] ?? "")
            }
            #expect(remaining == ["2", "1", "0"])
            let limited = try await client.api(.get, path, token: a.token)
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.json["statusCode"] == 429)
            #expect(Int(limited.headers[HTTPField.Name("Retry-After")!] ?? "") ?? 0 >= 1)
            for name in Self.headerNames { #expect(limited.headers[HTTPField.Name(name)!] != nil) }

            // Errors carry the headers too, and another location has its own budget.
            let unauthorized = try await client.api(.get, path, token: "wrong")
            for name in Self.headerNames { #expect(unauthorized.headers[HTTPField.Name(name)!] != nil) }
            #expect(try await client.api(.get, "/locations/\(b.locationID)", token: b.token).status == .ok)

            #expect(sandbox.requestCount(location: a.locationID, endpoint: "GET /products/reviews") == RequestCount(requests: 4, rateLimited: 1))
            sandbox.resetCounters()
            #expect(sandbox.requestCount(location: a.locationID).requests == 0)

            sandbox.rateLimit = RateLimitSettings(maxRequests: 100, windowMilliseconds: 10_000, dailyLimit: 1)
            #expect(try await client.api(.get, path, token: a.token).status == .ok)
            let daily = try await client.api(.get, path, token: a.token)
            #expect(daily.status == .tooManyRequests)
            #expect(daily.headers[HTTPField.Name("X-RateLimit-Daily-Remaining")!] == "0")
        }
    }
}
