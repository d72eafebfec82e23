import GHLAuth
import Hummingbird

/// `/auth/v1`: Supabase Auth's password and refresh-token grants, the current
/// user and sign-out, in GoTrue's shapes.
extension HTTPFront {
    private struct PasswordGrant: Decodable { var email: String; var password: String }
    private struct RefreshGrant: Decodable {
        var refreshToken: String?
        enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
    }

    /// Seconds the dashboard's refresh cookie lives: as long as the refresh token.
    static let refreshCookieLifetime = 30 * 86400

    @Sendable func token(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let session: IssuedSession
        switch request.uri.queryParameters.get("grant_type") {
        case "password":
            let grant = try await JSONBody.decode(PasswordGrant.self, from: request)
            session = try await authenticator.signIn(email: grant.email, password: grant.password)
        case "refresh_token":
            let grant = try await JSONBody.decode(RefreshGrant.self, from: request)
            guard let presented = grant.refreshToken ?? RefreshCookie.token(in: request) else {
                throw APIError(.badRequest, "refresh_token is required", code: "validation_failed")
            }
            session = try await authenticator.refresh(refreshToken: presented)
        case let other:
            throw APIError(.badRequest, "unsupported_grant_type: grant_type must be password or refresh_token, got \(other ?? "nothing")",
                           code: "validation_failed")
        }
        let cookie = RefreshCookie.requested(by: request)
        var headers = HTTPFields()
        if cookie {
            headers[.setCookie] = RefreshCookie.header(session.refreshToken, for: request, maxAge: Self.refreshCookieLifetime)
        }
        return try JSONBody.response(GoTrueSession(session, refreshTokenInBody: !cookie), headers: headers)
    }

    /// The user with their sources and roles (in `app_metadata`): what the dashboard's switcher needs.
    @Sendable func currentUser(_ request: Request, context: ServerRequestContext) async throws -> Response {
        try JSONBody.response(GoTrueUser(try context.requireUser()))
    }

    /// `POST /auth/v1/logout?scope=global|local|others` (GoTrue's default is
    /// global): the sessions end, so their refresh tokens fail from now on.
    @Sendable func logout(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let name = request.uri.queryParameters.get("scope") ?? SignOutScope.global.rawValue
        guard let scope = SignOutScope(rawValue: name) else {
            throw APIError(.badRequest, "scope must be global, local or others, got \(name)", code: "validation_failed")
        }
        try await authenticator.signOut(try context.requireUser(), scope: scope)
        var headers = HTTPFields()
        if scope != .others, RefreshCookie.token(in: request) != nil {
            headers[.setCookie] = RefreshCookie.header(nil, for: request, maxAge: 0)
        }
        return Response(status: .noContent, headers: headers)
    }
}
