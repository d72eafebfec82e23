import Hummingbird

/// `/healthz` (says only "ok": nothing about the data) and `/metrics`.
extension HTTPFront {
    @Sendable func healthz(_ request: Request, context: ServerRequestContext) async throws -> Response {
        do {
            try await healthCheck()
        } catch {
            throw APIError(.serviceUnavailable, "database unavailable: \(error)")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok")))
    }

    /// Prometheus text, for the bearer of `metricsToken` only (Prometheus' `authorization` setting).
    @Sendable func prometheus(_ request: Request, context: ServerRequestContext) async throws -> Response {
        guard let metricsToken, let presented = request.headers[.authorization].flatMap(BearerAuthMiddleware.bearerToken),
              Self.constantTimeEqual(presented, metricsToken)
        else { throw APIError.unauthorized("/metrics needs the bearer token given to serve --metrics-token-env") }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }
}

extension HTTPFront {
    /// Compares without stopping at the first difference, so timing tells nothing of the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
