/// Everything a sandbox run is made of. The defaults are a small demo dataset with GHL's real
/// rate limits.
public struct SandboxConfiguration: Sendable {
    /// Same seed, same data: ids, names, amounts and timestamps all derive from it.
    public var seed: UInt64 = 1
    public var locations: Int = 1
    public var counts: RecordCounts = RecordCounts()
    /// Pipelines per location (cycling through a few templates with ordered stages).
    public var pipelines: Int = 3
    /// When set, every location's Private Integration Token is this string instead of a generated one.
    public var fixedToken: String?
    public var rateLimit: RateLimitSettings = RateLimitSettings()
    /// Faults active from the start; more can be added at run time.
    public var faults: [FaultRule] = []
    /// Where change webhooks are POSTed; nil sends none.
    public var webhookURL: String?
    /// OAuth app credentials accepted by `POST /oauth/token`.
    public var oauthClientID: String = "sandbox-client"
    public var oauthClientSecret: String = "sandbox-secret"
    /// How many locations (the first ones) start with the agency's OAuth app installed; nil: all.
    public var installedLocations: Int?
    /// Lifetime of OAuth access tokens (GHL: about a day).
    public var accessTokenLifetimeSeconds: Int = 86_399
    /// Host to bind; the sandbox is for loopback use.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port.
    public var port: Int = 0

    public init() {}
}

/// Records generated per location.
public struct RecordCounts: Sendable, Equatable {
    public var contacts: Int = 200
    public var opportunities: Int = 80
    public var orders: Int = 60
    public var transactions: Int = 80
    public var reviews: Int = 40

    public init(contacts: Int = 200, opportunities: Int = 80, orders: Int = 60, transactions: Int = 80, reviews: Int = 40) {
        self.contacts = contacts
        self.opportunities = opportunities
        self.orders = orders
        self.transactions = transactions
        self.reviews = reviews
    }
}

/// Per token per location budget: `maxRequests` per `windowMilliseconds`, and a daily cap.
public struct RateLimitSettings: Sendable, Equatable, Codable {
    public var maxRequests: Int = 100
    public var windowMilliseconds: Int = 10_000
    public var dailyLimit: Int = 200_000

    public init(maxRequests: Int = 100, windowMilliseconds: Int = 10_000, dailyLimit: Int = 200_000) {
        self.maxRequests = maxRequests
        self.windowMilliseconds = windowMilliseconds
        self.dailyLimit = dailyLimit
    }
}
