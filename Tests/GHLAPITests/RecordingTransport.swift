import Synchronization
@testable import GHLAPI

/// The real HTTP transport, keeping every request the client sent, for tests that read the
/// bodies, headers and token forms a client sent to the sandbox.
final class RecordingTransport: GHLTransport {
    private let base = AsyncHTTPTransport()
    private let sent = Mutex<[GHLHTTPRequest]>([])
    /// Added to every response's time, so requests that overlap show it.
    private let latency: Duration
    private let inFlight = Mutex((now: 0, most: 0))

    init(latency: Duration = .zero) {
        self.latency = latency
    }

    var requests: [GHLHTTPRequest] { sent.withLock { $0 } }
    /// The most requests that were in flight at once.
    var mostInFlight: Int { inFlight.withLock { $0.most } }

    func send(_ request: GHLHTTPRequest, timeout: Duration) async throws -> GHLHTTPResponse {
        sent.withLock { $0.append(request) }
        inFlight.withLock {
            $0.now += 1
            $0.most = max($0.most, $0.now)
        }
        defer { inFlight.withLock { $0.now -= 1 } }
        if latency > .zero { try await Task.sleep(for: latency) }
        return try await base.send(request, timeout: timeout)
    }

    /// Requests that carried `Authorization: Bearer token`.
    func uses(of token: String?) -> Int {
        requests.filter { $0.headers.contains { $0 == ("Authorization", "Bearer \(token ?? "")") } }.count
    }

    /// Token requests (refreshes) sent.
    var refreshes: Int { requests.filter { $0.url.hasSuffix("/oauth/token") }.count }
}

extension GHLClient {
    /// The same client (location, credentials, retries) with a fresh budget, sending through a
    /// `RecordingTransport`, so a test can read the exact URLs, headers and bodies it sent.
    func recorded(retry: RetryPolicy? = nil, latency: Duration = .zero) -> (GHLClient, RecordingTransport) {
        let transport = RecordingTransport(latency: latency)
        let client = GHLClient(baseURL: baseURL, locationId: locationId, auth: auth, budget: RateBudget(),
                               transport: transport, retry: retry ?? self.retry)
        return (client, transport)
    }
}
