import Hummingbird

/// `/auth/v1`: Supabase Auth's password and refresh-token grants, and the current user.
extension HTTPFront {
    private struct PasswordGrant: Decodable { var email: String; var password: String }
    private struct RefreshGrant: Decodable {
        var refreshToken: String
        enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
    }

    @Sendable func token(_ request: Request, context: ServerRequestContext) async throws -> Response {
        switch request.uri.queryParameters.get("grant_type") {
        case "password":
            let grant = try await JSONBody.decode(PasswordGrant.self, from: request)
            return try JSONBody.response(AnyEncodable(try await authenticator.signIn(email: grant.email, password: grant.password)))
        case "refresh_token":
            let grant = try await JSONBody.decode(RefreshGrant.self, from: request)
            return try JSONBody.response(AnyEncodable(try await authenticator.refresh(refreshToken: grant.refreshToken)))
        case let other:
            throw APIError.badRequest("grant_type must be password or refresh_token, got \(other ?? "nothing")")
        }
    }

    /// The user with their sources and roles: what the dashboard's switcher needs.
    @Sendable func currentUser(_ request: Request, context: ServerRequestContext) async throws -> Response {
        try JSONBody.response(try context.requireUser())
    }
}

/// Encodes whichever session type the authenticator answers with.
private struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
