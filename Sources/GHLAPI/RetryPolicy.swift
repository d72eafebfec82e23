/// How often and how patiently a failed request is repeated.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Delay before the first retry; doubles on each one.
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Time allowed for one request, body included.
    public var requestTimeout: Duration

    public init(maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
                requestTimeout: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.requestTimeout = requestTimeout
    }

    public static let `default` = RetryPolicy()

    /// Exponential backoff with jitter (between half and all of the step), so
    /// clients that failed together do not retry together; never shorter than
    /// the server's `Retry-After`.
    func delay(beforeRetry retry: Int, retryAfter: Duration?) -> Duration {
        let step = min(baseDelay * (1 << min(retry - 1, 20)), maxDelay)
        let jittered = step * Double.random(in: 0.5...1.0)
        return max(jittered, retryAfter ?? .zero)
    }
}
