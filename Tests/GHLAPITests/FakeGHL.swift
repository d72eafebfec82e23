import Foundation
import Synchronization
@testable import GHLAPI
import GHLJSON

/// An in-memory GHL behind a `GHLTransport`: the sync endpoints with their
/// paging and a sliding-window rate limit (or none: no rate headers at all),
/// recording every request, so the paging tests can read the bodies and
/// headers the client sent. Faults and OAuth are the sandbox's (FaultTests,
/// PageBatchTests, OAuthTests).
final class FakeGHL: Sendable {
    struct Record: Sendable {
        let id: String
        var object: JSONObject
        var createdMs: Int
        var updatedMs: Int
    }

    struct State: Sendable {
        var records: [GHLResource: [Record]] = [:]
        var requests: [GHLHTTPRequest] = []
        var sent: [ContinuousClock.Instant] = []
        var rateLimit: (max: Int, interval: Duration)?
        var served429 = 0
        var accessTokens: Set<String> = ["pit-token"]
        var clockMs = 1_700_000_000_000
    }

    let locationId = "loc-1"
    let state = Mutex(State())
    /// Runs before each request is served, with its number (from 1); may mutate data.
    let onRequest = Mutex<(@Sendable (Int, FakeGHL) -> Void)?>(nil)

    init(contacts: Int = 0, opportunities: Int = 0, pipelines: Int = 0, orders: Int = 0, transactions: Int = 0,
         reviews: Int = 0) {
        for (resource, count) in [(GHLResource.contacts, contacts), (.opportunities, opportunities),
                                  (.pipelines, pipelines), (.orders, orders), (.transactions, transactions),
                                  (.reviews, reviews)] {
            for _ in 0..<count { add(resource) }
        }
    }

    var transport: FakeTransport { FakeTransport(server: self) }

    func client(auth: any GHLCredentialProvider = PrivateIntegrationToken("pit-token"), retry: RetryPolicy = .fast) -> GHLClient {
        GHLClient(baseURL: "http://fake", locationId: locationId, auth: auth, budget: RateBudget(),
                  transport: transport, retry: retry)
    }

    /// Adds a record created after all others; returns its id.
    @discardableResult
    func add(_ resource: GHLResource, extra: JSONObject = [:]) -> String {
        state.withLock { state in
            let store = resource == .legacyContacts ? GHLResource.contacts : resource
            state.clockMs += 1000
            let number = (state.records[store]?.count ?? 0) + 1
            let id = "\(store.rawValue)-\(number)"
            var object: JSONObject = ["locationId": .string(locationId), "name": .string("Name \(number) ü")]
            object[[.orders, .transactions, .reviews].contains(store) ? "_id" : "id"] = .string(id)
            let created = Self.iso(state.clockMs)
            switch store {
            case .contacts, .legacyContacts:
                object["dateAdded"] = .string(created)
                object["dateUpdated"] = .string(created)
                object["email"] = number % 3 == 0 ? .null : .string("c\(number)@example.com")
                object["tags"] = ["a", "b"]
            case .orders, .transactions:
                object["amount"] = .number(Double(number) * 1.5)
                object["currency"] = "USD"
                fallthrough
            default:
                object["createdAt"] = .string(created)
                object["updatedAt"] = .string(created)
            }
            if store == .reviews { object["rating"] = .number(Double(number % 5 + 1)) }
            object.merge(extra) { _, new in new }
            state.records[store, default: []].append(Record(id: id, object: object, createdMs: state.clockMs, updatedMs: state.clockMs))
            return id
        }
    }

    /// Changes a record like GHL does: new field value, new update time.
    func update(_ resource: GHLResource, id: String, field: String, to value: JSONValue) {
        state.withLock { state in
            state.clockMs += 1000
            guard let index = state.records[resource]?.firstIndex(where: { $0.id == id }) else { return }
            state.records[resource]![index].object[field] = value
            state.records[resource]![index].updatedMs = state.clockMs
            let key = resource == .contacts ? "dateUpdated" : "updatedAt"
            state.records[resource]![index].object[key] = .string(Self.iso(state.clockMs))
        }
    }

    var requestCount: Int { state.withLock { $0.requests.count } }
    var requests: [GHLHTTPRequest] { state.withLock { $0.requests } }
    var nowMs: Int { state.withLock { $0.clockMs } }

    static func iso(_ ms: Int) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(.iso8601.year().month().day()
            .time(includingFractionalSeconds: true))
    }

    // MARK: Serving

    func handle(_ request: GHLHTTPRequest) throws -> GHLHTTPResponse {
        let number = state.withLock { state in
            state.requests.append(request)
            return state.requests.count
        }
        onRequest.withLock { $0 }?(number, self)
        let url = URLComponents(string: request.url)!
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { _, last in last }
        let header = { (name: String) in request.headers.first { $0.name.lowercased() == name.lowercased() }?.value }

        let (limited, rateHeaders) = rateCheck()
        if let limited { return limited }
        guard header("Version") == GHLClient.apiVersion else { return error(400, "Version header missing") }
        guard let auth = header("Authorization"), auth.hasPrefix("Bearer "),
              state.withLock({ $0.accessTokens.contains(String(auth.dropFirst(7))) }) else {
            return error(401, "Invalid JWT")
        }
        var response = try serve(url.path, query: query, body: request.body)
        response.headers += rateHeaders
        return response
    }

    private func rateCheck() -> (GHLHTTPResponse?, [(name: String, value: String)]) {
        state.withLock { state in
            guard let limit = state.rateLimit else { return (nil, []) }
            let now = ContinuousClock.now
            state.sent.removeAll { now - $0 >= limit.interval }
            let intervalMs = Int(limit.interval / .milliseconds(1))
            func headers(_ remaining: Int) -> [(name: String, value: String)] {
                [("X-RateLimit-Max", "\(limit.max)"), ("X-RateLimit-Remaining", "\(remaining)"),
                 ("X-RateLimit-Interval-Milliseconds", "\(intervalMs)"),
                 ("X-RateLimit-Limit-Daily", "200000"), ("X-RateLimit-Daily-Remaining", "199000")]
            }
            if state.sent.count >= limit.max {
                state.served429 += 1
                let wait = limit.interval - (now - state.sent[0])
                let response = GHLHTTPResponse(status: 429, headers: headers(0) + [("Retry-After", "\(Double(wait / .milliseconds(1)) / 1000)")],
                                               body: Array(#"{"statusCode":429,"message":"Too many requests"}"#.utf8))
                return (response, [])
            }
            state.sent.append(now)
            return (nil, headers(limit.max - state.sent.count))
        }
    }

    private func error(_ status: Int, _ message: String) -> GHLHTTPResponse {
        GHLHTTPResponse(status: status, headers: [], body: Array(#"{"statusCode":\#(status),"message":"\#(message)"}"#.utf8))
    }

    private func ok(_ body: JSONValue) -> GHLHTTPResponse {
        GHLHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.canonicalJSON.utf8))
    }

    private func serve(_ path: String, query: [String: String], body: [UInt8]?) throws -> GHLHTTPResponse {
        let records = { (resource: GHLResource) in self.state.withLock { $0.records[resource] ?? [] } }
        switch path {
        case "/contacts/search", "/opportunities/search":
            let resource: GHLResource = path == "/contacts/search" ? .contacts : .opportunities
            let dialect: SearchBody.Dialect = resource == .contacts ? .contacts : .opportunities
            let body = try JSONValue(parsing: body ?? [])
            let limit = body[dialect.limitKey]?.intValue ?? 20
            guard limit <= 500 else { return error(422, "\(dialect.limitKey) must not be greater than 500") }
            var all = records(resource)
            if let filter = body["filters"]?.arrayValue?.first {
                guard filter["field"]?.stringValue == dialect.dateUpdated else { return error(422, "unknown filter field") }
                let since = filter["value"]?["gte"]?.stringValue ?? ""
                all = all.filter { Self.iso($0.updatedMs) >= since }
            }
            let byUpdate = body["sort"]?.arrayValue?.first?["field"]?.stringValue == dialect.dateUpdated
            let key = { (record: Record) in byUpdate ? record.updatedMs : record.createdMs }
            all.sort { (key($0), $0.id) < (key($1), $1.id) }
            var window: ArraySlice<Record>
            if let after = body["searchAfter"]?.arrayValue, let ms = after.first?.intValue, let id = after.last?.stringValue {
                window = all.drop { (key($0), $0.id) <= (ms, id) }.prefix(limit)
            } else {
                let page = body["page"]?.intValue ?? 1
                window = all.dropFirst((page - 1) * limit).prefix(limit)
            }
            let found = window.map { record -> JSONValue in
                var object = record.object
                object["searchAfter"] = [.number(Double(key(record))), .string(record.id)]
                return .object(object)
            }
            return ok([resource.recordsKey: .array(found), "total": .number(Double(all.count))])
        case "/contacts/":
            let limit = Int(query["limit"] ?? "20")!
            guard limit <= 100 else { return error(422, "limit must not be greater than 100") }
            let all = records(.contacts).sorted { ($0.createdMs, $0.id) < ($1.createdMs, $1.id) }
            var rest = all[...]
            if let after = query["startAfter"].flatMap({ Int($0) }), let id = query["startAfterId"] {
                rest = all.drop { ($0.createdMs, $0.id) <= (after, id) }
            }
            let page = Array(rest.prefix(limit))
            var meta: JSONObject = ["total": .number(Double(all.count)), "nextPageUrl": .null]
            if let last = page.last, rest.count > limit {
                meta["startAfter"] = .number(Double(last.createdMs))
                meta["startAfterId"] = .string(last.id)
                meta["nextPageUrl"] = "http://fake/next"
            }
            return ok(["contacts": .array(page.map { .object($0.object) }), "meta": .object(meta)])
        case "/opportunities/pipelines":
            return ok(["pipelines": .array(records(.pipelines).map { .object($0.object) })])
        case "/payments/orders", "/payments/transactions", "/products/reviews":
            let resource: GHLResource = path.hasSuffix("orders") ? .orders : path.hasSuffix("transactions") ? .transactions : .reviews
            let limit = Int(query["limit"] ?? "10")!, offset = Int(query["offset"] ?? "0")!
            var all = records(resource).sorted { ($0.createdMs, $0.id) < ($1.createdMs, $1.id) }
            if let since = query["startAt"] ?? query["startDate"] { all = all.filter { Self.iso($0.createdMs) >= since } }
            let page = all.dropFirst(offset).prefix(limit).map { JSONValue.object($0.object) }
            return ok(["data": .array(page), resource == .reviews ? "total" : "totalCount": .number(Double(all.count))])
        case "/locations/\(locationId)":
            return ok(["location": ["id": .string(locationId), "name": "Fake Location", "timezone": .null]])
        default:
            return error(404, "Cannot GET \(path)")
        }
    }
}

struct FakeTransport: GHLTransport {
    let server: FakeGHL

    func send(_ request: GHLHTTPRequest, timeout: Duration) async throws -> GHLHTTPResponse {
        try server.handle(request)
    }
}

extension RetryPolicy {
    /// Quick retries, so fault tests take milliseconds.
    static let fast = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(2), maxDelay: .milliseconds(20))
}

extension GHLClient {
    /// Every page of a listing, for tests.
    func allPages(_ resource: GHLResource, pageSize: Int? = nil, updatedSince: Date? = nil,
                  resumeFrom: PageCheckpoint? = nil) async throws -> [GHLPage] {
        var pages: [GHLPage] = []
        for try await page in self.pages(resource, pageSize: pageSize, updatedSince: updatedSince, resumeFrom: resumeFrom) {
            pages.append(page)
        }
        return pages
    }
}

/// A value shared between a test and the closures it hands out.
final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    init(_ value: Value) { state = Mutex(value) }

    func withLock<R>(_ body: (inout Value) -> R) -> R { state.withLock { body(&$0) } }
}
