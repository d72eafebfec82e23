import Foundation
import HTTPTypes
import Hummingbird

/// Serves the embedded dashboard (`DashboardAssets`) for GET and HEAD: `/` is
/// `index.html`; conditional requests get 304 on a matching `If-None-Match`;
/// clients that accept gzip get the precompressed bytes. Every answer carries
/// `DashboardMiddleware.securityHeaders`. Other paths go on to the routes.
struct DashboardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// A strict policy: scripts, styles and connections from this origin only,
    /// no inline code, no framing; plus nosniff and no referrer.
    static var securityHeaders: HTTPFields {
        [
            .contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head,
              let file = DashboardAssets.files[request.uri.path == "/" ? "/index.html" : request.uri.path]
        else { return try await next(request, context) }

        var headers = Self.securityHeaders
        headers[.eTag] = file.etag
        headers[.cacheControl] = "no-cache"
        headers[.vary] = "Accept-Encoding"
        if request.headers[values: .ifNoneMatch].flatMap({ $0.split(separator: ",") })
            .contains(where: { $0.trimmingCharacters(in: .whitespaces) == file.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = file.contentType
        var body = file.identity
        if Self.acceptsGzip(request.headers[values: .acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            body = file.gzip
        }
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: body))
    }

    /// Whether `Accept-Encoding` lists gzip (or `*`) without `q=0`.
    static func acceptsGzip(_ values: [String]) -> Bool {
        values.flatMap { $0.split(separator: ",") }.contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "*" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }
}
