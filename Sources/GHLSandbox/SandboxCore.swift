import Hummingbird

/// The parts of a running sandbox that request handlers share. `GHLSandbox` owns one and adds
/// the server around it; router tests can use `GHLSandbox.router` without a socket.
final class SandboxCore: Sendable {
    let configuration: SandboxConfiguration
    let dataset: Dataset
    let tokens: TokenRegistry
    let limiter: RateLimiter
    let counters = RequestCounters()
    let faults: FaultInjector
    let webhooks: WebhookSender
    /// The refresh token each location starts with, as if the OAuth app were installed there.
    let initialRefreshTokens: [String: String]

    init(configuration: SandboxConfiguration) throws {
        self.configuration = configuration
        dataset = Dataset(configuration: configuration)
        let pairs = dataset.locationTokens
        tokens = TokenRegistry(privateTokens: pairs.map { (location: $0.0, token: $0.1) }, configuration: configuration)
        limiter = RateLimiter(settings: configuration.rateLimit)
        faults = FaultInjector(rules: try configuration.faults.map { rule throws(SandboxError) in try rule.validated() })
        webhooks = try WebhookSender(targetURL: configuration.webhookURL)
        var refresh: [String: String] = [:]
        for (location, _) in pairs { refresh[location] = tokens.installApp(location: location) }
        initialRefreshTokens = refresh
    }

    func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        addContactRoutes(to: router)
        addOpportunityRoutes(to: router)
        addPaymentRoutes(to: router)
        addReviewRoutes(to: router)
        addLocationRoutes(to: router)
        addOAuthRoutes(to: router)
        addAdminRoutes(to: router)
        return router
    }

    /// Applies a change and sends its webhooks.
    func apply(_ change: RecordChange) -> RecordChange {
        webhooks.send(for: change)
        return change
    }
}
