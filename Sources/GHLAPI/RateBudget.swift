import Synchronization

/// The request budget of one location, shared by every request to it.
///
/// GHL allows 100 requests per 10 s per app and location (and a daily cap),
/// and says so in every response: `X-RateLimit-Max`, `-Remaining`,
/// `-Interval-Milliseconds`, `-Limit-Daily`, `-Daily-Remaining`. The budget
/// keeps the times of its last `max` requests and lets a request leave
/// when the one `max` requests before it is a little more than an interval
/// old. So no window of the server's, fixed or sliding, ever sees more than
/// the maximum (a steady sync gets no 429s), the first `max` requests go at
/// once, and the rest run at the allowed rate. Before the first response, or
/// with no headers, nothing is delayed; requests sent then are still counted.
///
/// A request also leaves when the server said it has room: a response's
/// `Remaining`, less every request that may have reached the server after
/// that one (those sent after it, and those still unanswered when it was
/// sent). A server whose windows are fixed thus gets a new window's
/// requests as soon as it opens, not at the pace the last one's were sent.
///
/// A 429 pauses every request of the location for its `Retry-After`; a
/// window that GHL says is exhausted (remaining 0) while this budget sent
/// fewer than the maximum in it (another app instance shares the budget)
/// pauses them for one interval.
///
/// Slots are not booked ahead: a waiting request takes a slot when it frees,
/// highest priority first (see `acquire(priority:)`).
public actor RateBudget {
    /// Fraction of the interval added as slack, so network jitter cannot
    /// push one request too many into a server window.
    public static let safetyMargin = 0.03
    /// Limits above this many requests per interval are not paced: the
    /// bookkeeping would cost more than the limit could ever bind.
    static let maxTrackedRequests = 10_000
    /// Send times kept before the limits are known.
    static let untrackedCapacity = 256

    /// What the last response said.
    public struct Limits: Sendable, Hashable {
        public var max: Int
        public var remaining: Int
        public var interval: Duration
        public var dailyLimit: Int?
        public var dailyRemaining: Int?
    }

    public let key: String
    public private(set) var limits: Limits?
    /// Send times of the last requests, a ring buffer; `oldest` is where the
    /// next one is written once it is full.
    private var sendTimes: [ContinuousClock.Instant] = []
    private var oldest = 0
    private var capacity = RateBudget.untrackedCapacity
    private var pausedUntil: ContinuousClock.Instant?
    /// Requests waiting in `acquire`, by priority.
    private var waiting: [Int: Int] = [:]
    /// Requests booked so far, and those booked but not yet answered.
    private var booked: UInt64 = 0
    private var unanswered = 0
    /// When requests that got no response were given up: one may still reach
    /// the server, so each counts as unanswered for an interval.
    private var abandoned: [ContinuousClock.Instant] = []
    /// The most room a response said the server has: `room` requests after the `booked`-th.
    private var serverRoom: (room: Int, after: UInt64)?
    /// Waiters asleep until a slot frees, woken early when a response brings room.
    private var sleepers: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextSleeper: UInt64 = 0
    private let clock = ContinuousClock()
    private let counters = GHLMetrics()

    public init(key: String = "") {
        self.key = key
    }

    /// Requests, 429s, retries and throttled time of every client using this budget.
    public nonisolated var metrics: GHLMetrics { counters }

    /// A booked request: pass it back with the response (`record(_:for:)`),
    /// or to `abandon(_:)` when none came.
    public struct Ticket: Sendable {
        /// How long the request waited for its slot.
        public let waited: Duration
        let number: UInt64
        /// Requests unanswered when this one was booked: any may reach the server after it.
        let unansweredBefore: Int
    }

    /// Waits until the next request may leave, books its slot, and returns its ticket.
    ///
    /// - Parameter priority: when requests wait for the budget, a free slot
    ///   goes to the highest priority first (equal ones in no set order). The
    ///   paginator passes the requests its listing still needs one after the
    ///   other, so under a tight limit the longest sequential chain (contacts)
    ///   never waits behind listings that could finish later in one burst.
    @discardableResult
    public func acquire(priority: Int = 0) async throws -> Ticket {
        let start = clock.now
        waiting[priority, default: 0] += 1
        defer {
            waiting[priority]! -= 1
            if waiting[priority] == 0 { waiting[priority] = nil }
        }
        var slept = false
        while true {
            let now = clock.now
            let free = earliestFreeSlot(after: now)
            if free <= now || roomOnServer(now) > 0, !waiting.keys.contains(where: { $0 > priority }) {
                let ticket = book(now, waited: slept ? now - start : .zero)
                counters.update {
                    $0.requests += 1
                    $0.throttledSeconds += ticket.waited.seconds
                }
                return ticket
            }
            slept = true
            // Until the slot frees or a response brings room; if a higher priority request takes it, look again just after.
            try await sleep(until: free > now ? free : now + Self.yieldInterval)
        }
    }

    /// How soon a request that saw a free slot taken by a higher priority looks again.
    static let yieldInterval = Duration.milliseconds(2)

    /// When the next request may leave: after any pause, and once the request
    /// `max` before it is a little more than an interval old.
    private func earliestFreeSlot(after now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var slot = now
        if let pausedUntil, pausedUntil > slot { slot = pausedUntil }
        if let frees = ownRequestLeavesWindow { slot = max(slot, frees) }
        return slot
    }

    /// When the request `max` before the next one is a little more than an
    /// interval old; nil while this budget has sent fewer than `max` requests
    /// (or does not track them).
    private var ownRequestLeavesWindow: ContinuousClock.Instant? {
        guard let limits, limits.max <= Self.maxTrackedRequests, sendTimes.count >= limits.max else { return nil }
        return sendTimes[oldest] + limits.interval * (1 + Self.safetyMargin)
    }

    private func book(_ slot: ContinuousClock.Instant, waited: Duration) -> Ticket {
        booked += 1
        forgetAbandoned(at: slot)
        let ticket = Ticket(waited: waited, number: booked, unansweredBefore: unanswered + abandoned.count)
        unanswered += 1
        if capacity > 0 {
            if sendTimes.count < capacity {
                sendTimes.append(slot)
            } else {
                sendTimes[oldest] = slot
                oldest = (oldest + 1) % capacity
            }
        }
        return ticket
    }

    /// Requests the server has said it takes now, beyond those sent since; none during a pause.
    private func roomOnServer(_ now: ContinuousClock.Instant) -> Int {
        guard let serverRoom, pausedUntil.map({ $0 <= now }) ?? true else { return 0 }
        return serverRoom.room - Int(booked - serverRoom.after)
    }

    /// Sleeps until `deadline`, or until a response brings room on the server.
    private func sleep(until deadline: ContinuousClock.Instant) async throws {
        nextSleeper += 1
        let id = nextSleeper
        let alarm = Task { [clock] in
            try? await clock.sleep(until: deadline, tolerance: .milliseconds(1))
            wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { sleepers[id] = $0 }
        } onCancel: {
            alarm.cancel()
        }
        alarm.cancel()
        try Task.checkCancellation()
    }

    private func wake(_ id: UInt64) {
        sleepers.removeValue(forKey: id)?.resume()
    }

    /// Keeps the last `newCapacity` send times, oldest first.
    private func resize(to newCapacity: Int) {
        guard newCapacity != capacity else { return }
        let chronological = Array(sendTimes[oldest...] + sendTimes[..<oldest])
        sendTimes = Array(chronological.suffix(newCapacity))
        oldest = 0
        capacity = newCapacity
    }

    /// Learns the limits from the response to the request `ticket` booked
    /// (without one, only the limits: the room it reports cannot be placed).
    public func record(_ response: GHLHTTPResponse, for ticket: Ticket? = nil) {
        if ticket != nil { unanswered -= 1 }
        let value = { (name: String) in response.header(name).flatMap { Int($0.filter { !$0.isWhitespace }) } }
        if let max = value("X-RateLimit-Max"), let remaining = value("X-RateLimit-Remaining"),
           let intervalMs = value("X-RateLimit-Interval-Milliseconds"), intervalMs > 0 {
            limits = Limits(max: max, remaining: remaining, interval: .milliseconds(intervalMs),
                            dailyLimit: value("X-RateLimit-Limit-Daily"),
                            dailyRemaining: value("X-RateLimit-Daily-Remaining"))
            resize(to: max <= Self.maxTrackedRequests ? Swift.max(max, 1) : 0)
            // A 429 says how long to wait in its Retry-After; the client pauses for that. A window this
            // budget's own requests filled is waited for already (`earliestFreeSlot`): pausing a whole
            // interval from now stalled a large agency's sync for seconds each window.
            let filledByOwnRequests = ownRequestLeavesWindow.map { $0 > clock.now } ?? false
            if remaining <= 0 && response.status != 429 && !filledByOwnRequests { pause(for: .milliseconds(intervalMs)) }
            if let ticket, response.status != 429 { learnRoom(remaining - ticket.unansweredBefore, after: ticket.number) }
        }
        if response.status == 429 { counters.update { $0.rateLimited += 1 } }
    }

    /// The request `ticket` booked got no response; it may still reach the server for an interval.
    public func abandon(_ ticket: Ticket) {
        unanswered -= 1
        abandoned.append(clock.now)
    }

    /// Forgets requests given up more than an interval before `now`.
    private func forgetAbandoned(at now: ContinuousClock.Instant) {
        let interval = limits?.interval ?? .zero
        abandoned.removeAll { now - $0 > interval }
    }

    /// Keeps the larger of the room known and `room` requests after the `number`-th, and wakes the waiters if it grew.
    private func learnRoom(_ room: Int, after number: UInt64) {
        let roomNow = room - Int(booked - number)
        guard roomNow > serverRoom.map({ $0.room - Int(booked - $0.after) }) ?? 0 else { return }
        serverRoom = (room, number)
        let woken = sleepers.values
        sleepers.removeAll()
        for sleeper in woken { sleeper.resume() }
    }

    /// Holds every request of the location back, e.g. for a 429's `Retry-After`.
    public func pause(for duration: Duration) {
        serverRoom = nil
        let until = clock.now + duration
        if pausedUntil.map({ $0 < until }) ?? true { pausedUntil = until }
    }

    /// Whether the limits GHL reported can hold requests back; nil before the first response says.
    var paces: Bool? {
        limits.map { $0.max <= Self.maxTrackedRequests }
    }

    /// True when GHL says the daily cap is used up: waiting would take hours.
    public var isDailyLimitExhausted: Bool {
        limits?.dailyRemaining.map { $0 <= 0 } ?? false
    }

    func countRetry() { counters.update { $0.retries += 1 } }
}

/// One `RateBudget` per base URL and location, so every client of a location
/// in the process shares it, whichever source or entity it syncs.
public final class RateBudgetRegistry: Sendable {
    public static let shared = RateBudgetRegistry()

    private let budgets = Mutex<[String: RateBudget]>([:])

    public init() {}

    public func budget(baseURL: String, locationId: String) -> RateBudget {
        let key = "\(baseURL)|\(locationId)"
        return budgets.withLock { budgets in
            if let budget = budgets[key] { return budget }
            let budget = RateBudget(key: key)
            budgets[key] = budget
            return budget
        }
    }

    /// Every budget, for `/metrics`.
    public var all: [RateBudget] { budgets.withLock { Array($0.values) } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
