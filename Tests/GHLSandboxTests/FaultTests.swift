import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import GHLJSON

@Suite struct FaultTests {
    func orders(_ location: SandboxLocation) -> String { "/payments/orders?altId=\(location.locationID)&altType=location&limit=5" }

    @Test(arguments: [
        (FaultKind.tooManyRequests, HTTPResponse.Status.tooManyRequests), (.internalServerError, .internalServerError),
        (.badGateway, .badGateway), (.serviceUnavailable, .serviceUnavailable),
    ])
    func statusFaultsHitTheNextRequestsOnly(kind: FaultKind, status: HTTPResponse.Status) async throws {
        let sandbox = try makeSandbox { $0.faults = [FaultRule(kind, next: 2, retryAfterSeconds: 3)] }
        let location = sandbox.locations[0]
        try await withRouter(sandbox) { client in
            let statuses = try await (0..<3).asyncMap { _ in try await client.api(.get, orders(location), token: location.token) }
            #expect(statuses.map(\.status) == [status, status, .ok])
            #expect(try statuses[0].json["statusCode"]?.doubleValue == Double(status.code))
            if kind == .tooManyRequests {
                #expect(statuses[0].headers[HTTPField.Name("Retry-After")!] == "3")
                #expect(sandbox.requestCount(location: location.locationID).rateLimited == 2)
            }
        }
    }

    @Test func everyNthAndPathFilter() async throws {
        let sandbox = try makeSandbox()
        try sandbox.addFault(FaultRule(.serviceUnavailable, everyNth: 3, path: "/payments/orders"))
        let location = sandbox.locations[0]
        try await withRouter(sandbox) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<6 {
                statuses.append(try await client.api(.get, orders(location), token: location.token).status)
                // Other endpoints neither fail nor count.
                #expect(try await client.api(.get, "/locations/\(location.locationID)", token: location.token).status == .ok)
            }
            #expect(statuses == [.ok, .ok, .serviceUnavailable, .ok, .ok, .serviceUnavailable])
            sandbox.clearFaults()
            #expect(try await client.api(.get, orders(location), token: location.token).status == .ok)
        }
        #expect(throws: SandboxError.self) { try sandbox.addFault(FaultRule(.slow)) }
    }

    @Test func bodyFaults() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        try await withRouter(sandbox) { client in
            let good = try await client.api(.get, orders(location), token: location.token)
            try sandbox.addFault(FaultRule(.truncatedJSON, next: 1))
            let truncated = try await client.api(.get, orders(location), token: location.token)
            #expect(truncated.status == .ok)
            #expect(truncated.body.readableBytes == good.body.readableBytes / 2)
            #expect(throws: JSONParseError.self) { try truncated.json }

            try sandbox.addFault(FaultRule(.malformedJSON, next: 1))
            let malformed = try await client.api(.get, orders(location), token: location.token)
            #expect(malformed.body.readableBytes == good.body.readableBytes)
            #expect(throws: JSONParseError.self) { try malformed.json }

            try sandbox.addFault(FaultRule(.wrongFieldTypes, next: 1))
            let wrong = try await client.api(.get, orders(location), token: location.token).json["data"]!.arrayValue!
            let right = try good.json["data"]!.arrayValue!
            #expect(wrong.count == right.count)
            #expect(wrong[0]["_id"] == right[0]["_id"])
            #expect(wrong[0]["amount"]?.stringValue != nil)
            #expect(wrong[0]["status"]?.doubleValue != nil)
            #expect(Array(wrong.dropFirst()) == Array(right.dropFirst()))

            try sandbox.addFault(FaultRule(.recordWithoutId, next: 1))
            let anonymous = try await client.api(.get, orders(location), token: location.token).json["data"]!.arrayValue!
            var unnamed = right[0]
            unnamed.set("_id", nil)
            #expect(right[0]["_id"] != nil && anonymous[0] == unnamed)
            #expect(Array(anonymous.dropFirst()) == Array(right.dropFirst()))

            try sandbox.addFault(FaultRule(.noRateHeaders, next: 1))
            let bare = try await client.api(.get, orders(location), token: location.token)
            let isRateHeader = { (field: HTTPField) in field.name.canonicalName.hasPrefix("x-ratelimit") }
            #expect(good.headers.filter(isRateHeader).count == 5)
            #expect(bare.body == good.body && !bare.headers.contains(where: isRateHeader))

            try sandbox.addFault(FaultRule(.slow, next: 1, delayMilliseconds: 50))
            #expect(try await client.api(.get, orders(location), token: location.token).body == good.body)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
