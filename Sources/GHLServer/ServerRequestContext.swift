import Hummingbird

/// The request context of every HTTP route: Hummingbird's core storage plus
/// the user `BearerAuthMiddleware` authenticated, if any.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: RequestUser?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The authenticated user; routes behind the auth middleware always have one.
    public func requireUser() throws -> RequestUser {
        guard let user else { throw APIError.unauthorized() }
        return user
    }
}
