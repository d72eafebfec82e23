import Synchronization

/// GHL's limits, per budget (app or token) per location: a burst window and a daily cap. A
/// fixed window starting at the first request in it; requests refused with 429 spend nothing.
final class RateLimiter: Sendable {
    struct Decision: Sendable {
        let allowed: Bool
        let remaining: Int
        let dailyRemaining: Int
        let retryAfterSeconds: Int
        let settings: RateLimitSettings
    }

    private struct Budget {
        var windowStartMs: Int64 = 0
        var inWindow = 0
        var day: Int64 = -1
        var today = 0
    }

    private struct State {
        var settings: RateLimitSettings
        var budgets: [String: Budget] = [:]
    }

    private let state: Mutex<State>

    init(settings: RateLimitSettings) {
        state = Mutex(State(settings: settings))
    }

    var settings: RateLimitSettings {
        get { state.withLock { $0.settings } }
        set { state.withLock { $0.settings = newValue } }
    }

    /// Forgets all spent budget (used with new settings, or by tests between runs).
    func reset() {
        state.withLock { $0.budgets.removeAll() }
    }

    func admit(budget: String, location: String, nowMs: Int64 = SandboxTime.nowMilliseconds()) -> Decision {
        state.withLock { s in
            let settings = s.settings
            var b = s.budgets[budget + "|" + location] ?? Budget()
            let day = nowMs / 86_400_000
            if b.day != day { b.day = day; b.today = 0 }
            if nowMs - b.windowStartMs >= Int64(settings.windowMilliseconds) { b.windowStartMs = nowMs; b.inWindow = 0 }
            let decision: Decision
            if b.today >= settings.dailyLimit {
                let untilMidnight = (day + 1) * 86_400_000 - nowMs
                decision = Decision(allowed: false, remaining: max(settings.maxRequests - b.inWindow, 0), dailyRemaining: 0,
                    retryAfterSeconds: Int((untilMidnight + 999) / 1000), settings: settings)
            } else if b.inWindow >= settings.maxRequests {
                let untilWindow = b.windowStartMs + Int64(settings.windowMilliseconds) - nowMs
                decision = Decision(allowed: false, remaining: 0, dailyRemaining: settings.dailyLimit - b.today,
                    retryAfterSeconds: max(Int((untilWindow + 999) / 1000), 1), settings: settings)
            } else {
                b.inWindow += 1
                b.today += 1
                decision = Decision(allowed: true, remaining: settings.maxRequests - b.inWindow,
                    dailyRemaining: settings.dailyLimit - b.today, retryAfterSeconds: 0, settings: settings)
            }
            s.budgets[budget + "|" + location] = b
            return decision
        }
    }
}
