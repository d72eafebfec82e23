import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import GHLJSON

func makeSandbox(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) throws -> GHLSandbox {
    var config = SandboxConfiguration()
    config.seed = 7
    config.counts = RecordCounts(contacts: 53, opportunities: 31, orders: 27, transactions: 29, reviews: 23)
    config.rateLimit = RateLimitSettings(maxRequests: 10_000, windowMilliseconds: 10_000, dailyLimit: 1_000_000)
    configure(&config)
    return try GHLSandbox(configuration: config)
}

/// Runs `body` against the sandbox's routes in process (no socket).
func withRouter<T: Sendable>(_ sandbox: GHLSandbox, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
    try await Application(router: sandbox.router).test(.router, body)
}

extension TestClientProtocol {
    /// An API call with the headers real clients send.
    func api(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, version: String? = "2021-07-28", json: JSONValue? = nil
    ) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let version { headers[HTTPField.Name("Version")!] = version }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(bytes: $0.encoded) })
    }
}

extension TestResponse {
    var json: JSONValue {
        get throws { try JSONValue(parsing: body.readableBytesView) }
    }
}

extension JSONValue {
    var ids: [String] { (arrayValue ?? []).ids }
}

extension [JSONValue] {
    var ids: [String] { compactMap { ($0["id"] ?? $0["_id"])?.stringValue } }
}

/// One list endpoint and how a client walks its pages.
enum Walk: CaseIterable, Sendable {
    case contactSearchCursor, contactSearchPages, contactsDeprecated, opportunities, opportunitySearchCursor, opportunitySearchPages,
        orders, transactions, reviews

    var entity: SandboxEntity {
        switch self {
        case .contactSearchCursor, .contactSearchPages, .contactsDeprecated: .contacts
        case .opportunities, .opportunitySearchCursor, .opportunitySearchPages: .opportunities
        case .orders: .orders
        case .transactions: .transactions
        case .reviews: .reviews
        }
    }

    /// Pages through everything with page size `size`, calling `between` after each page.
    func all(
        _ client: any TestClientProtocol, location: String, token: String, size: Int,
        between: (Int) throws -> Void = { _ in }
    ) async throws -> [String] {
        var ids: [String] = []
        var pageIndex = 0
        var cursor: JSONValue? = nil
        var nextQuery = ""
        while pageIndex < 10_000 {
            let response: TestResponse
            switch self {
            case .contactSearchCursor, .contactSearchPages, .opportunitySearchCursor, .opportunitySearchPages:
                let contacts = entity == .contacts
                var body: JSONValue = ["locationId": .string(location), contacts ? "pageLimit" : "limit": .number(Double(size))]
                if self == .contactSearchPages || self == .opportunitySearchPages {
                    body.set("page", .number(Double(pageIndex + 1)))
                } else {
                    body.set("searchAfter", cursor)
                }
                response = try await client.api(.post, contacts ? "/contacts/search" : "/opportunities/search", token: token, json: body)
            case .contactsDeprecated:
                response = try await client.api(.get, "/contacts/?locationId=\(location)&limit=\(size)\(nextQuery)", token: token)
            case .opportunities:
                response = try await client.api(.get, "/opportunities/search?location_id=\(location)&limit=\(size)\(nextQuery)", token: token)
            case .orders, .transactions:
                let path = self == .orders ? "orders" : "transactions"
                response = try await client.api(
                    .get, "/payments/\(path)?altId=\(location)&altType=location&limit=\(size)&offset=\(ids.count)", token: token)
            case .reviews:
                response = try await client.api(.get, "/products/reviews?altId=\(location)&altType=location&limit=\(size)&offset=\(ids.count)", token: token)
            }
            #expect(response.status == .ok, "\(self) page \(pageIndex): \(String(buffer: response.body))")
            let json = try response.json
            let records = (json["contacts"] ?? json["opportunities"] ?? json["data"])!
            ids += records.ids
            pageIndex += 1
            try between(pageIndex)
            switch self {
            case .contactSearchCursor, .opportunitySearchCursor:
                cursor = records.arrayValue?.last?["searchAfter"]
                if (records.arrayValue?.count ?? 0) < size { return ids }
            case .contactSearchPages, .opportunitySearchPages, .orders, .transactions, .reviews:
                if (records.arrayValue?.count ?? 0) < size { return ids }
            case .contactsDeprecated, .opportunities:
                guard let after = json["meta"]?["startAfter"]?.doubleValue, let afterID = json["meta"]?["startAfterId"]?.stringValue else {
                    return ids
                }
                nextQuery = "&startAfter=\(Int64(after))&startAfterId=\(afterID)"
            }
        }
        Issue.record("paging did not end")
        return ids
    }
}
