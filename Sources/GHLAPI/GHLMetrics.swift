import Synchronization

/// Request counters, readable at any time for benchmarks and `/metrics`.
public struct GHLCounters: Sendable, Hashable {
    /// HTTP requests sent, retries included.
    public var requests = 0
    /// 429 answers received.
    public var rateLimited = 0
    /// Requests repeated after a 429, 5xx, cut connection, timeout or bad body.
    public var retries = 0
    /// Time spent waiting for the rate budget, in seconds.
    public var throttledSeconds = 0.0

    public init() {}
}

/// Thread-safe counters, shared by everything that sends on behalf of one owner.
public final class GHLMetrics: Sendable {
    private let state = Mutex(GHLCounters())

    public init() {}

    public var snapshot: GHLCounters { state.withLock { $0 } }

    func update(_ change: (inout GHLCounters) -> Void) {
        state.withLock { change(&$0) }
    }
}
