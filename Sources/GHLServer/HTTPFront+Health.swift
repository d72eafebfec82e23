import Hummingbird

/// `/healthz` and `/metrics`.
extension HTTPFront {
    @Sendable func healthz(_ request: Request, context: ServerRequestContext) async throws -> Response {
        do {
            try await healthCheck()
        } catch {
            throw APIError(.serviceUnavailable, "database unavailable: \(error)")
        }
        return JSONBody.raw(Array(#"{"status":"ok"}"#.utf8))
    }

    @Sendable func prometheus(_ request: Request, context: ServerRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }
}
