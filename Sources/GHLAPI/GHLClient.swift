import AsyncHTTPClient
import Foundation
import GHLJSON

/// A client for one GHL location.
///
/// Every request carries `Authorization: Bearer` and `Version: 2021-07-28`,
/// waits for the location's `RateBudget`, and is retried on 429, 5xx, cut
/// connections, timeouts and unreadable bodies (backoff with jitter,
/// honouring `Retry-After`) up to `retry.maxAttempts`; then it fails with a
/// `GHLAPIError` naming the endpoint and status.
public final class GHLClient: Sendable {
    public static let apiVersion = "2021-07-28"
    public static let productionURL = "https://services.leadconnectorhq.com"

    public let baseURL: String
    public let locationId: String
    public let auth: any GHLCredentialProvider
    public let budget: RateBudget
    public let retry: RetryPolicy
    let transport: any GHLTransport
    let metrics = GHLMetrics()

    /// - Parameters:
    ///   - budget: shared by every client of this location; by default the
    ///     process-wide one from `RateBudgetRegistry.shared`.
    public convenience init(baseURL: String = GHLClient.productionURL, locationId: String, auth: any GHLCredentialProvider,
                            budget: RateBudget? = nil, httpClient: HTTPClient = .shared, retry: RetryPolicy = .default) {
        self.init(baseURL: baseURL, locationId: locationId, auth: auth, budget: budget,
                  transport: AsyncHTTPTransport(httpClient: httpClient), retry: retry)
    }

    public init(baseURL: String, locationId: String, auth: any GHLCredentialProvider, budget: RateBudget? = nil,
                transport: any GHLTransport, retry: RetryPolicy = .default) {
        self.baseURL = baseURL
        self.locationId = locationId
        self.auth = auth
        self.budget = budget ?? RateBudgetRegistry.shared.budget(baseURL: baseURL, locationId: locationId)
        self.transport = transport
        self.retry = retry
    }

    /// Requests, 429s and retries of this client (the budget has the location's totals).
    public var counters: GHLCounters { metrics.snapshot }

    /// The location (`GET /locations/{locationId}`), all fields kept.
    public func location() async throws -> GHLRecord {
        let path = "/locations/\(Self.percentEncode(locationId))"
        let endpoint = "GET /locations/{locationId}"
        let json = try await send(method: "GET", path: path, endpoint: endpoint) { json in
            json["location"]?.objectValue == nil ? "no location object" : nil
        }
        switch GHLRecord.read(json["location"]!, typedFields: []) {
        case .success(let record): return record
        case .failure(let problem):
            throw GHLAPIError(kind: .invalidResponse, endpoint: endpoint, status: 200, message: problem.reason, attempts: 1)
        }
    }

    /// Sends one request with retries and returns its JSON body.
    ///
    /// - Parameters:
    ///   - priority: the request's claim on the rate budget (`RateBudget.acquire(priority:)`).
    ///   - problem: checks the body's shape; a non-nil answer makes the
    ///     response count as unreadable (retried, like a truncated body).
    func send(method: String, path: String, query: [(String, String)] = [], body: JSONValue? = nil,
              endpoint: String, priority: Int = 0, problem: (JSONValue) -> String?) async throws -> JSONValue {
        var url = Self.join(baseURL, path)
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        }
        let bodyBytes = body.map { Array($0.canonicalJSON.utf8) }
        var token = try await auth.accessToken()
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            if await budget.isDailyLimitExhausted {
                throw GHLAPIError(kind: .rateLimited, endpoint: endpoint, status: nil,
                                  message: "the location's daily request limit is used up", attempts: attempt)
            }
            let ticket = try await budget.acquire(priority: priority)
            var headers: [(name: String, value: String)] = [
                ("Authorization", "Bearer \(token)"), ("Version", Self.apiVersion), ("Accept", "application/json"),
            ]
            if bodyBytes != nil { headers.append(("Content-Type", "application/json")) }
            let request = GHLHTTPRequest(method: method, url: url, headers: headers, body: bodyBytes)
            metrics.update {
                $0.requests += 1
                $0.throttledSeconds += ticket.waited.seconds
            }

            let failure: GHLAPIError
            var retryAfter: Duration?
            do {
                let response: GHLHTTPResponse
                do {
                    response = try await transport.send(request, timeout: retry.requestTimeout)
                } catch {
                    await budget.abandon(ticket)
                    throw error
                }
                await budget.record(response, for: ticket)
                switch response.status {
                case 200..<300:
                    do {
                        let json = try JSONValue(parsing: response.body)
                        if let problem = problem(json) {
                            failure = GHLAPIError(kind: .invalidResponse, endpoint: endpoint, status: response.status,
                                                  message: "unexpected response: \(problem)", attempts: attempt)
                        } else {
                            return json
                        }
                    } catch {
                        failure = GHLAPIError(kind: .invalidResponse, endpoint: endpoint, status: response.status,
                                              message: "unreadable response: \(error)", attempts: attempt)
                    }
                case 401 where !refreshed:
                    refreshed = true
                    if let fresh = try await auth.tokenAfterUnauthorized(rejectedToken: token) {
                        token = fresh
                        attempt -= 1
                        continue
                    }
                    throw statusError(response, endpoint: endpoint, attempts: attempt)
                case 429:
                    metrics.update { $0.rateLimited += 1 }
                    retryAfter = Self.retryAfter(response.header("Retry-After"))
                    failure = GHLAPIError(kind: .rateLimited, endpoint: endpoint, status: 429,
                                          message: GHLAPIError.message(fromBody: response.body), attempts: attempt)
                case 408, 500, 502, 503, 504:
                    retryAfter = Self.retryAfter(response.header("Retry-After"))
                    failure = statusError(response, endpoint: endpoint, attempts: attempt)
                default:
                    throw statusError(response, endpoint: endpoint, attempts: attempt)
                }
            } catch let error as GHLAPIError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = GHLAPIError(kind: .transport, endpoint: endpoint, status: nil,
                                      message: String(describing: error), attempts: attempt)
            }

            guard attempt < retry.maxAttempts else { throw failure }
            let delay = retry.delay(beforeRetry: attempt, retryAfter: retryAfter)
            if failure.status == 429 { await budget.pause(for: delay) }
            metrics.update { $0.retries += 1 }
            await budget.countRetry()
            try await Task.sleep(for: delay)
        }
    }

    private func statusError(_ response: GHLHTTPResponse, endpoint: String, attempts: Int) -> GHLAPIError {
        GHLAPIError(kind: .status, endpoint: endpoint, status: response.status,
                    message: GHLAPIError.message(fromBody: response.body), attempts: attempts)
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return .milliseconds(Int64(max(0, seconds) * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }

    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes everything but RFC 3986's unreserved characters, for
    /// query strings and form bodies alike.
    static func percentEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
