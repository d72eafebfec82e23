import NIOCore
import Synchronization

/// One commit's events of one topic, ready to write: the events and their
/// WebSocket frames, encoded once and shared by every subscriber.
public final class FramedBatch: Sendable {
    /// In publish (commit) order.
    public let events: [TopicEvent]
    public let frames: BroadcastFrames

    init(_ events: [TopicEvent], replayed: Bool = false) {
        self.events = events
        self.frames = BroadcastFrames(events, replayed: replayed)
    }
}

/// What a subscriber takes from its queue in one go.
public struct Delivery: Sendable {
    /// Tells the subscriber that events are missing before `batches`.
    public enum Signal: String, Sendable {
        /// Its queue overflowed and was dropped: it fell too far behind.
        case resync
        /// The seq it resumed from is older than the change log keeps (or unknown).
        case refetch
    }

    public var signal: Signal?
    /// In publish (commit) order.
    public var batches: [FramedBatch]

    /// Every event of the batches, in order.
    public var events: [TopicEvent] { batches.flatMap(\.events) }
}

/// One subscriber of one topic, with its own bounded queue.
///
/// The publisher only appends under this queue's lock and never waits for the
/// subscriber: when the queue would exceed its limit it is dropped whole, a
/// `resync` signal takes its place and the new commit starts the queue again,
/// so a stalled socket costs the writer nothing and other subscribers nothing.
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
        var queue: [FramedBatch] = []
        /// Events in `queue`, held against the limit.
        var queuedEvents = 0
        var signal: Delivery.Signal?
        /// A task waiting in `next()`.
        var waiter: CheckedContinuation<Void, Never>?
        /// The consumer `attach` installed, and whether it was told of events it has not taken yet.
        var sink: (any SubscriptionSink)?
        var sinkNotified = false
        var closed = false
        /// Missed events still to read from the file, before `queue`: seqs in `after+1 ... through`.
        var backlog: (after: Int64, through: Int64)?

        var isReady: Bool { signal != nil || !queue.isEmpty || backlog != nil }

        /// Everything waiting, leaving the queue empty.
        mutating func take() -> Delivery? {
            sinkNotified = false
            guard isReady else { return nil }
            defer { signal = nil; queue = []; queuedEvents = 0 }
            return Delivery(signal: signal, batches: queue)
        }
    }

    /// Who to wake after an append, once the bus has released its lock.
    enum Wakeup {
        case task(CheckedContinuation<Void, Never>)
        case sink(any SubscriptionSink)
    }

    /// How a subscription begins.
    enum Start {
        case live
        /// With the missed events queued first.
        case resume([TopicEvent])
        /// The missed events `after+1 ... through`, too many for the queue: read
        /// from the file a chunk at a time as the subscriber takes them.
        case backlog(after: Int64, through: Int64)
        /// The missed events are not all in the log.
        case refetch
        /// With Supabase's replay: these events first, marked as replayed.
        case replay([TopicEvent])
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
            initial.queue = events.isEmpty ? [] : [FramedBatch(events)]
            initial.queuedEvents = events.count
            resumed = true
        case .backlog(let after, let through):
            initial.backlog = (after, through)
            resumed = true
        case .resume, .refetch:
            initial.signal = .refetch
            resumed = false
        case .replay(let events):
            // At most `ReplayWindow.maxLimit` events: always within the queue's limit.
            initial.queue = events.isEmpty ? [] : [FramedBatch(events, replayed: true)]
            initial.queuedEvents = events.count
            resumed = false
        }
        state = Mutex(initial)
    }

    /// Appends a commit's events (called by the bus with its lock held). Returns
    /// the consumer to wake once the caller has released its lock, and whether
    /// this append overflowed the queue.
    func enqueue(_ batch: FramedBatch) -> (wakeup: Wakeup?, overflowed: Bool) {
        state.withLock { state in
            guard !state.closed else { return (nil, false) }
            var overflowed = false
            if state.queuedEvents + batch.events.count > limit {
                // The queue goes, this batch's latest events stay (as many as
                // fit; a reader's batch may span many commits): the subscriber
                // reads `resync`, then the latest events.
                let kept = batch.events.count <= limit ? batch : FramedBatch(Array(batch.events.suffix(limit)))
                state.queue = [kept]
                state.queuedEvents = kept.events.count
                state.signal = .resync
                overflowed = true
            } else {
                state.queue.append(batch)
                state.queuedEvents += batch.events.count
            }
            if let waiter = state.waiter {
                state.waiter = nil
                return (.task(waiter), overflowed)
            }
            if let sink = state.sink, !state.sinkNotified {
                state.sinkNotified = true
                return (.sink(sink), overflowed)
            }
            return (nil, overflowed)
        }
    }

    /// Hands this subscription's events to `sink` from now on, on the sink's
    /// event loop: the push alternative to awaiting `next()`, with no task per
    /// subscriber. Events already waiting are announced at once.
    public func attach(_ sink: any SubscriptionSink) {
        let ready = state.withLock { state in
            guard !state.closed else { return false }
            state.sink = sink
            state.sinkNotified = state.isReady
            return state.isReady
        }
        if ready { sink.eventLoop.execute { sink.subscriptionReady() } }
    }

    /// Everything waiting now, or nil when nothing is; the attached sink is
    /// told again when the next events arrive. A backlog comes first, one
    /// chunk per take (read from the file outside the lock; the sink is told
    /// at once of the next), then the queue.
    public func take() -> Delivery? {
        guard let range = state.withLock({ $0.closed ? nil : $0.backlog }) else {
            return state.withLock { state in state.closed ? nil : state.take() }
        }
        let chunk = bus.backlogChunk(of: topic, after: range.after, through: range.through)
        let (delivery, sink) = state.withLock { state -> (Delivery?, (any SubscriptionSink)?) in
            guard !state.closed else { return (nil, nil) }
            guard let chunk, let last = chunk.events.last?.seq else {
                // Pruned meanwhile: the subscriber reloads, then gets the queue.
                state.backlog = nil
                state.signal = .refetch
                return (state.take(), nil)
            }
            state.backlog = last < range.through ? (last, range.through) : nil
            state.sinkNotified = state.sink != nil
            return (Delivery(signal: nil, batches: [chunk]), state.sink)
        }
        if let sink { sink.eventLoop.execute { sink.subscriptionReady() } }
        return delivery
    }

    /// Waits for the next events or signal; nil once cancelled. Cancelling the
    /// waiting task cancels the subscription.
    public func next() async -> Delivery? {
        while true {
            if state.withLock({ $0.closed }) { return nil }
            if let taken = take() { return taken }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        if state.closed || state.isReady { return true }
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
    public var pendingCount: Int { state.withLock { $0.queuedEvents } }

    /// Stops the subscription: the bus forgets it and a waiting `next()` returns nil.
    public func cancel() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            state.closed = true
            state.queue = []
            state.queuedEvents = 0
            state.sink = nil
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        bus.remove(self)
    }
}

/// A consumer the bus hands a subscription's events to on an event loop,
/// instead of a task awaiting `next()`: a socket writes them where they are.
public protocol SubscriptionSink: AnyObject, Sendable {
    /// Where `subscriptionReady` runs.
    var eventLoop: any EventLoop { get }

    /// Events or a signal arrived while the subscription had none waiting:
    /// take them with `take()`. Called on `eventLoop`, and not again until a
    /// `take()`, however many commits arrive in between.
    func subscriptionReady()
}
