import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// An HTTP request as the client sends it.
public struct GHLHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
}

/// An HTTP response with its whole body.
public struct GHLHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header of that name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// Sends one request and returns the complete response, or throws when the
/// connection fails, is cut, or times out. Swappable so tests can inject faults.
public protocol GHLTransport: Sendable {
    func send(_ request: GHLHTTPRequest, timeout: Duration) async throws -> GHLHTTPResponse
}

/// The production transport, on AsyncHTTPClient.
public struct AsyncHTTPTransport: GHLTransport {
    public let httpClient: HTTPClient
    /// Larger bodies are refused: 500 contacts are well under 8 MB.
    public var maxBodyBytes = 64 << 20

    public init(httpClient: HTTPClient = .shared) {
        self.httpClient = httpClient
    }

    public func send(_ request: GHLHTTPRequest, timeout: Duration) async throws -> GHLHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let timeAmount = TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                                                + timeout.components.attoseconds / 1_000_000_000)
        let response = try await httpClient.execute(outgoing, timeout: timeAmount)
        let body = try await response.body.collect(upTo: maxBodyBytes)
        return GHLHTTPResponse(status: Int(response.status.code),
                               headers: response.headers.map { ($0.name, $0.value) },
                               body: Array(body.readableBytesView))
    }
}
