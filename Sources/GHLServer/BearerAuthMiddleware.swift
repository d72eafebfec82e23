import Hummingbird

/// Resolves `Authorization: Bearer <access token>` to the user and their
/// grants, once per request; no token or a bad one is a 401.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let authenticator: any Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing Authorization: Bearer <access token>")
        }
        guard let token = Self.bearerToken(header) else {
            throw APIError.unauthorized("Authorization must be Bearer <access token>")
        }
        var context = context
        context.user = try await authenticator.user(accessToken: token)
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer <token>` value, nil for any other form.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }
}
