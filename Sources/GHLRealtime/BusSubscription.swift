import Synchronization

/// An event ready to write: the logged event and its pre-encoded frames.
public struct FramedEvent: Sendable {
    public let event: TopicEvent
    public let frames: BroadcastFrames

    init(_ event: TopicEvent) {
        self.event = event
        self.frames = BroadcastFrames(event)
    }
}

/// What a subscriber takes from its queue in one go.
public struct Delivery: Sendable {
    /// Tells the subscriber that events are missing before `events`.
    public enum Signal: String, Sendable {
        /// Its queue overflowed and was dropped: it fell too far behind.
        case resync
        /// The seq it resumed from is older than the change log keeps (or unknown).
        case refetch
    }

    public var signal: Signal?
    /// In publish (commit) order.
    public var events: [FramedEvent]
}

/// One subscriber of one topic, with its own bounded queue.
///
/// The publisher only appends under this queue's lock and never waits for the
/// subscriber: when the queue would exceed its limit it is dropped whole and a
/// `resync` signal takes its place, so a stalled socket costs the writer
/// nothing and other subscribers nothing.
public final class BusSubscription: Sendable {
    public let topic: String
    /// The last seq published before this subscription began: events after it reach the queue.
    public let seqAtSubscribe: Int64
    /// True when the subscriber asked to resume and its queue starts with every missed event.
    public let resumed: Bool
    let id: Int
    let limit: Int
    private let bus: TopicBus
    private let state: Mutex<State>

    private struct State {
        var queue: [FramedEvent] = []
        var signal: Delivery.Signal?
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    /// How a subscription begins.
    enum Start {
        case live
        /// With the missed events queued first.
        case resume([FramedEvent])
        /// The missed events are not all in the log.
        case refetch
    }

    init(topic: String, id: Int, limit: Int, seqAtSubscribe: Int64, start: Start, bus: TopicBus) {
        self.topic = topic
        self.id = id
        self.limit = max(1, limit)
        self.seqAtSubscribe = seqAtSubscribe
        self.bus = bus
        var initial = State()
        switch start {
        case .live:
            resumed = false
        case .resume(let events) where events.count <= self.limit:
            initial.queue = events
            resumed = true
        case .resume, .refetch:
            initial.signal = .refetch
            resumed = false
        }
        state = Mutex(initial)
    }

    /// Appends a commit's events (called by the bus with its lock held). Returns
    /// the waiting consumer to resume once the caller has released its lock, and
    /// whether this append overflowed the queue.
    func enqueue(_ events: [FramedEvent]) -> (waiter: CheckedContinuation<Void, Never>?, overflowed: Bool) {
        state.withLock { state in
            guard !state.closed else { return (nil, false) }
            var overflowed = false
            if state.queue.count + events.count > limit {
                state.queue = []
                state.signal = .resync
                overflowed = true
            } else {
                state.queue.append(contentsOf: events)
            }
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, overflowed)
        }
    }

    /// Waits for the next events or signal; nil once cancelled. Cancelling the
    /// waiting task cancels the subscription.
    public func next() async -> Delivery? {
        while true {
            let taken: Delivery?? = state.withLock { state in
                if state.closed { return .some(nil) }
                guard state.signal != nil || !state.queue.isEmpty else { return nil }
                defer { state.signal = nil; state.queue = [] }
                return Delivery(signal: state.signal, events: state.queue)
            }
            if let taken { return taken }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        if state.closed || state.signal != nil || !state.queue.isEmpty { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                cancel()
            }
        }
    }

    /// Events waiting in the queue (for tests and metrics).
    public var pendingCount: Int { state.withLock { $0.queue.count } }

    /// Stops the subscription: the bus forgets it and a waiting `next()` returns nil.
    public func cancel() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            state.closed = true
            state.queue = []
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        bus.remove(self)
    }
}
