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
    let agency: Agency
    /// The refresh token each location starts with, as if the OAuth app were installed there.
    let initialRefreshTokens: [String: String]
    /// The agency's Company refresh token, as if the app were installed at agency level.
    let companyRefreshToken: String

    init(configuration: SandboxConfiguration) throws {
        self.configuration = configuration
        dataset = Dataset(configuration: configuration)
        let pairs = dataset.locationTokens
        tokens = TokenRegistry(privateTokens: pairs.map { (location: $0.0, token: $0.1) }, configuration: configuration)
        limiter = RateLimiter(settings: configuration.rateLimit)
        faults = FaultInjector(rules: try configuration.faults.map { rule throws(SandboxError) in try rule.validated() })
        webhooks = try WebhookSender(targetURL: configuration.webhookURL)
        var refresh: [String: String] = [:]
        for (location, _) in pairs { refresh[location] = tokens.installApp(.location(location)) }
        initialRefreshTokens = refresh
        agency = Agency(locations: pairs.map(\.0), installedCount: configuration.installedLocations)
        companyRefreshToken = tokens.installApp(.company(agency.companyID))
    }

    func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        addContactRoutes(to: router)
        addOpportunityRoutes(to: router)
        addPaymentRoutes(to: router)
        addReviewRoutes(to: router)
        addLocationRoutes(to: router)
        addOAuthRoutes(to: router)
        addChooseLocationRoutes(to: router)
        addAgencyRoutes(to: router)
        addAdminRoutes(to: router)
        return router
    }

    /// Sends the webhooks of a change already applied to the dataset.
    func apply(_ change: RecordChange) -> RecordChange {
        webhooks.send(for: change)
        return change
    }
}
