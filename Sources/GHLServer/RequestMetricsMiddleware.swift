import Hummingbird

/// Counts answered requests by status class (2xx, 4xx, ...) for `/metrics`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        metrics.increment("ghlsync_http_requests_total", ["status": "\(response.status.code / 100)xx"])
        return response
    }
}
