import Synchronization
@testable import GHLAPI

/// The real HTTP transport, keeping every request the client sent, for tests that read the
/// bodies, headers and token forms a client sent to the sandbox.
final class RecordingTransport: GHLTransport {
    private let base = AsyncHTTPTransport()
    private let sent = Mutex<[GHLHTTPRequest]>([])

    var requests: [GHLHTTPRequest] { sent.withLock { $0 } }

    func send(_ request: GHLHTTPRequest, timeout: Duration) async throws -> GHLHTTPResponse {
        sent.withLock { $0.append(request) }
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
    func recorded(retry: RetryPolicy? = nil) -> (GHLClient, RecordingTransport) {
        let transport = RecordingTransport()
        let client = GHLClient(baseURL: baseURL, locationId: locationId, auth: auth, budget: RateBudget(),
                               transport: transport, retry: retry ?? self.retry)
        return (client, transport)
    }
}
