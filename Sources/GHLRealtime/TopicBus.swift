import Foundation
import GHLStore
import NIOCore
import Synchronization

/// The in-process topic bus between change capture and realtime channels.
///
/// Wire it to a store with `try bus.follow(store)`. `publish` runs
/// on the writer's queue, so it only encodes and appends: it never waits for
/// a subscriber. Every event keeps the `seq` of its topic the file's change
/// log gave it (an event built in memory gets the topic's next one) and
/// enters the in-memory log, a cache of the file's recent rows from which a
/// reconnecting client resumes without a gap; its history (see `follow`)
/// reads further back from the file.
///
/// Each topic numbers its own events, so a subscriber's seqs move only with
/// its own source's changes: no count of another source's activity leaks
/// through them. The file's numbers survive restarts; a seq that no log
/// handed out (one from the in-memory era, above the topic's last) is told
/// to refetch instead of getting a wrong resume.
public final class TopicBus: Sendable {
    public struct Configuration: Sendable {
        /// Events the in-memory cache of the change log keeps, across all
        /// topics: enough for replays and short resumes; longer ones read the file.
        public var logCapacity: Int
        /// Bytes of payload the cache keeps, across all topics.
        public var logByteLimit: Int
        /// Events a subscriber may have waiting before it is told to resync.
        public var subscriberQueueLimit: Int

        public init(logCapacity: Int = 8_192, logByteLimit: Int = 8 << 20, subscriberQueueLimit: Int = 4_096) {
            self.logCapacity = logCapacity
            self.logByteLimit = logByteLimit
            self.subscriberQueueLimit = subscriberQueueLimit
        }
    }

    /// What the change log can give a client resuming after a seq.
    public enum Resume: Sendable {
        case events([TopicEvent])
        /// Some missed events are gone (or the seq is unknown): reload the data.
        case refetch
    }

    /// Supabase's `config.broadcast.replay`: the last `limit` events published
    /// at or after `since` (Unix milliseconds).
    public struct ReplayWindow: Sendable, Equatable {
        /// Supabase Realtime replays at most this many messages.
        public static let maxLimit = 25
        public var since: Int64
        public var limit: Int

        public init(since: Int64, limit: Int?) {
            self.since = since
            self.limit = min(max(limit ?? Self.maxLimit, 1), Self.maxLimit)
        }
    }

    /// Counters for `/metrics` and the benchmark.
    public struct Stats: Sendable {
        public var loggedEvents: Int
        public var loggedBytes: Int
        public var subscribers: Int
        public var overflows: Int
    }

    /// A topic's changes with seqs in `after+1 ... through` (at most `limit`), from
    /// the file, or nil when the file no longer holds the first of them.
    public typealias History = @Sendable (_ topic: String, _ after: Int64, _ through: Int64, _ limit: Int?) -> [ChangeEvent]?

    /// Events per chunk of a resume streamed from the file.
    static let backlogChunkSize = 1_024

    public let configuration: Configuration
    private let state: Mutex<State>
    /// Tasks to wake after a publish. Resuming a waiting task costs about a
    /// microsecond; a task of the bus does it, so the writer pays for none of them.
    /// Sinks cost the writer one `execute` per event loop per commit.
    private let wakeups: AsyncStream<[CheckedContinuation<Void, Never>]>.Continuation

    private struct State {
        var log: ChangeLog
        var subscribers: [String: [BusSubscription]] = [:]
        var subscriberCount = 0
        var nextID = 0
        var overflows = 0
        var history: History?
    }
    /// The last chunks read for resumes, by topic and chunk number: clients
    /// resuming from about the same seq (after a restart) share their reads.
    private let backlogChunks = Mutex(BacklogChunks())

    public init(configuration: Configuration = .init(), firstSeq: Int64 = 1) {
        self.configuration = configuration
        state = Mutex(State(log: ChangeLog(capacity: configuration.logCapacity,
                                           byteLimit: configuration.logByteLimit, firstSeq: firstSeq)))
        let (stream, wakeups) = AsyncStream.makeStream(of: [CheckedContinuation<Void, Never>].self)
        self.wakeups = wakeups
        Task.detached {
            for await waiters in stream {
                for waiter in waiters { waiter.resume() }
            }
        }
    }

    deinit {
        wakeups.finish()
    }

    /// Warms the cache with the file's last changes, starts every other topic
    /// after its last seq, and reads older events from `history`: what a
    /// server does before it accepts subscriptions.
    public func restore(recent: [ChangeEvent], lastSeqs: [String: Int64], history: History?) {
        publish(recent)
        state.withLock { state in
            for (sourceId, seq) in lastSeqs { state.log.continueTopic("ghl:\(sourceId)", after: seq) }
            state.history = history
        }
    }

    /// Numbers, logs and fans out one commit's events, in order.
    public func publish(_ changes: [ChangeEvent]) {
        guard !changes.isEmpty else { return }
        var waiters: [CheckedContinuation<Void, Never>] = []
        var sinks = SinkWakeups()
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        state.withLock { state in
            var byTopic: [String: [TopicEvent]] = [:]
            for change in changes {
                let event = state.log.append(change, at: now)
                if state.subscribers[event.topic] != nil {
                    byTopic[event.topic, default: []].append(event)
                }
            }
            for (topic, events) in byTopic {
                let batch = FramedBatch(events)
                for subscription in state.subscribers[topic] ?? [] {
                    let outcome = subscription.enqueue(batch)
                    switch outcome.wakeup {
                    case .task(let waiter): waiters.append(waiter)
                    case .sink(let sink): sinks.add(sink)
                    case nil: break
                    }
                    if outcome.overflowed { state.overflows += 1 }
                }
            }
        }
        sinks.run()
        if !waiters.isEmpty { wakeups.yield(waiters) }
    }

    /// Subscribes to `topic`. With `seq`, the queue starts with the events of the
    /// topic published after it (or a `refetch` signal when the log no longer
    /// has them all); else with `replay`, with the events its window selects,
    /// marked as replayed. Taken in one step with registration, so nothing is
    /// missed or delivered twice between the two.
    public func subscribe(to topic: String, after seq: Int64? = nil, replay: ReplayWindow? = nil) -> BusSubscription {
        if let subscription = register(topic, after: seq, replay: replay, inFile: nil) { return subscription }
        // The cache cannot serve the resume: whether the file still has the first missed event is read
        // before the bus's lock is taken (a reader may wait for a pooled connection that a delivery holds
        // while it waits for that lock), and only then: on PostgreSQL it is a round trip.
        // (A client's seq may be anything: one past Int64.max must not trap.)
        let inFile = seq.flatMap { seq in
            seq >= 0 && seq < .max ? state.withLock { $0.history }.map { $0(topic, seq, seq + 1, 1)?.isEmpty == false } : nil
        } ?? false
        return register(topic, after: seq, replay: replay, inFile: inFile)!
    }

    /// Registers a subscription to `topic` with its start, or returns nil when a
    /// resume needs to know whether the file has its first missed event (`inFile`) and that is not known yet.
    private func register(_ topic: String, after seq: Int64?, replay: ReplayWindow?, inFile: Bool?) -> BusSubscription? {
        state.withLock { state in
            var start = BusSubscription.Start.live
            if let seq {
                guard let resume = resumeStart(state, of: topic, after: seq, inFile: inFile) else { return nil }
                start = resume
            } else if let replay {
                start = .replay(state.log.events(of: topic, since: replay.since, limit: replay.limit))
            }
            let subscription = BusSubscription(topic: topic, id: state.nextID, limit: configuration.subscriberQueueLimit,
                                               seqAtSubscribe: state.log.lastSeq(of: topic), start: start, bus: self)
            state.nextID += 1
            state.subscribers[topic, default: []].append(subscription)
            state.subscriberCount += 1
            return subscription
        }
    }

    /// How a resume after `seq` begins: from the cache when it holds every
    /// missed event and they fit the queue; else streamed from the file, when
    /// it holds the first of them (`inFile`); else with `refetch`. Nil when the
    /// cache cannot serve it and `inFile` is not known.
    private func resumeStart(_ state: State, of topic: String, after seq: Int64, inFile: Bool?) -> BusSubscription.Start? {
        if let cached = state.log.events(of: topic, after: seq), cached.count <= configuration.subscriberQueueLimit {
            return .resume(cached)
        }
        guard seq >= 0, seq < state.log.lastSeq(of: topic) else { return .refetch }
        guard let inFile else { return nil }
        return inFile ? .backlog(after: seq, through: state.log.lastSeq(of: topic)) : .refetch
    }

    /// The events of `topic` in `after+1 ... through`, up to the end of the
    /// chunk `after+1` falls in, from the file; nil when it no longer has them.
    /// Whole chunks are kept a while for the next subscriber's resume.
    func backlogChunk(of topic: String, after: Int64, through: Int64) -> FramedBatch? {
        let size = Int64(Self.backlogChunkSize)
        let number = after / size
        let chunkLast = (number + 1) * size
        var batch = backlogChunks.withLock { $0.chunk(topic, number) }
        if batch == nil, let history = state.withLock({ $0.history }) {
            let first = number * size
            guard let read = history(topic, first, chunkLast, Int(size)) ?? (after > first ? history(topic, after, chunkLast, Int(size)) : nil) else {
                return nil
            }
            let events = read.map { TopicEvent(seq: $0.seq ?? 0, change: $0, publishedAt: 0) }
            let framed = FramedBatch(events)
            if events.count == Int(size) { backlogChunks.withLock { $0.keep(framed, topic, number) } }
            batch = framed
        }
        guard let batch else { return nil }
        let wanted = batch.events.filter { $0.seq > after && $0.seq <= through }
        guard wanted.first?.seq == after + 1 else { return nil }
        return wanted.count == batch.events.count ? batch : FramedBatch(wanted)
    }

    /// The events of `topic` after `seq`, or `.refetch` past the log's horizon.
    public func resume(topic: String, after seq: Int64) -> Resume {
        state.withLock { state in
            events(state, of: topic, after: seq).map(Resume.events) ?? .refetch
        }
    }

    /// The events of `topic` after `seq`: from the cache, and from the file
    /// for those older than the cache's horizon. Read under the bus's lock, so
    /// that nothing is published between the two; such a resume is rare.
    private func events(_ state: State, of topic: String, after seq: Int64) -> [TopicEvent]? {
        let log = state.log
        if let cached = log.events(of: topic, after: seq) { return cached }
        let horizon = log.horizon(of: topic)
        guard let history = state.history, seq >= 0, seq < horizon - 1, let older = history(topic, seq, horizon - 1, nil) else { return nil }
        // The file's rows are older than any replay window: their publish time does not matter.
        return older.map { TopicEvent(seq: $0.seq ?? 0, change: $0, publishedAt: 0) }
            + (log.events(of: topic, after: horizon - 1) ?? [])
    }

    /// The seq of `topic`'s last published event (one less than its first seq before any).
    public func lastSeq(of topic: String) -> Int64 { state.withLock { $0.log.lastSeq(of: topic) } }

    public var stats: Stats {
        state.withLock { state in
            Stats(loggedEvents: state.log.count,
                  loggedBytes: state.log.byteCount, subscribers: state.subscriberCount, overflows: state.overflows)
        }
    }

    func remove(_ subscription: BusSubscription) {
        state.withLock { state in
            guard var list = state.subscribers[subscription.topic],
                  let index = list.firstIndex(where: { $0 === subscription }) else { return }
            list.remove(at: index)
            state.subscribers[subscription.topic] = list.isEmpty ? nil : list
            state.subscriberCount -= 1
        }
    }
}

/// The sinks one publish wakes, grouped by event loop: one job per loop runs
/// them all, however many sockets that loop serves.
private struct SinkWakeups {
    private var byLoop: [ObjectIdentifier: (loop: any EventLoop, sinks: [any SubscriptionSink])] = [:]

    mutating func add(_ sink: any SubscriptionSink) {
        let loop = sink.eventLoop
        byLoop[ObjectIdentifier(loop), default: (loop, [])].sinks.append(sink)
    }

    func run() {
        for (loop, sinks) in byLoop.values {
            loop.execute { for sink in sinks { sink.subscriptionReady() } }
        }
    }
}

/// A few whole chunks of resumes read from the file, the oldest dropped first.
private struct BacklogChunks {
    static let capacity = 8
    private var chunks: [(topic: String, number: Int64, batch: FramedBatch)] = []

    func chunk(_ topic: String, _ number: Int64) -> FramedBatch? {
        chunks.first { $0.topic == topic && $0.number == number }?.batch
    }

    mutating func keep(_ batch: FramedBatch, _ topic: String, _ number: Int64) {
        if chunk(topic, number) != nil { return }
        chunks.append((topic, number, batch))
        if chunks.count > Self.capacity { chunks.removeFirst() }
    }
}
