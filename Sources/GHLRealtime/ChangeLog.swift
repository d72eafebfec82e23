import GHLStore
import NIOCore

/// The last published events, bounded by count and by bytes across all
/// topics, each topic numbering its own.
///
/// A topic's seqs are consecutive and count only its own events, so what a
/// subscriber sees (the join reply's seq, every event's seq) says nothing of
/// other topics' activity. Within a topic the event after `seq` sits at a
/// computed index: a resume costs a scan of the missed range, not a search.
/// Eviction is oldest first over all topics, tracked by one queue of topics.
struct ChangeLog {
    let capacity: Int
    let byteLimit: Int
    /// Every topic's first seq.
    let firstSeq: Int64
    private var topics: [String: TopicLog] = [:]
    /// The topic of every held event, in publish order: which log to trim next.
    private var order = CircularBuffer<String>()
    private var bytes = 0

    private struct TopicLog {
        var events = CircularBuffer<TopicEvent>()
        /// The seq the next event of the topic gets.
        var nextSeq: Int64

        /// The oldest seq still held; `nextSeq` when none is.
        var horizon: Int64 { events.first?.seq ?? nextSeq }

        /// Logs `change` under its own seq (from the file's log) or the next one.
        mutating func append(_ change: ChangeEvent, at millisecond: Int64) -> TopicEvent {
            let event = TopicEvent(seq: change.seq ?? nextSeq, change: change, publishedAt: millisecond)
            nextSeq = event.seq + 1
            events.append(event)
            return event
        }
    }

    init(capacity: Int, byteLimit: Int, firstSeq: Int64) {
        self.capacity = max(1, capacity)
        self.byteLimit = byteLimit
        self.firstSeq = firstSeq
        order.reserveCapacity(min(self.capacity, 4_096))
    }

    var count: Int { order.count }
    var byteCount: Int { bytes }

    /// The seq of the topic's last event (one less than the first seq before any).
    func lastSeq(of topic: String) -> Int64 {
        (topics[topic]?.nextSeq ?? firstSeq) - 1
    }

    /// The oldest seq of `topic` the log holds (the next one when it holds none).
    func horizon(of topic: String) -> Int64 {
        topics[topic]?.horizon ?? firstSeq
    }

    /// Starts `topic`'s numbering after `seq` when the log knows nothing of it
    /// yet: a server's cache starts where the file's log is.
    mutating func continueTopic(_ topic: String, after seq: Int64) {
        if topics[topic] == nil { topics[topic] = TopicLog(nextSeq: seq + 1) }
    }

    /// Numbers `change` in its topic, logs it, and returns it as published.
    mutating func append(_ change: ChangeEvent, at millisecond: Int64) -> TopicEvent {
        let topic = change.topic
        let event = topics[topic, default: TopicLog(nextSeq: firstSeq)].append(change, at: millisecond)
        order.append(topic)
        bytes += Self.cost(event)
        while order.count > capacity || (bytes > byteLimit && order.count > 1) {
            let oldest = order.removeFirst()
            if let evicted = topics[oldest]?.events.popFirst() { bytes -= Self.cost(evicted) }
        }
        return event
    }

    /// The events of `topic` after `seq`, or nil when some of them are gone
    /// (older than the horizon) or `seq` is not one this log handed out.
    func events(of topic: String, after seq: Int64) -> [TopicEvent]? {
        let log = topics[topic] ?? TopicLog(nextSeq: firstSeq)
        guard seq >= log.horizon - 1, seq < log.nextSeq else { return nil }
        return Array(log.events[log.events.index(log.events.startIndex, offsetBy: Int(seq + 1 - log.horizon))...])
    }

    /// Supabase's replay: the last `limit` events of `topic` published at or
    /// after `millisecond` (Unix time), oldest first, as far as the log holds them.
    func events(of topic: String, since millisecond: Int64, limit: Int) -> [TopicEvent] {
        guard let log = topics[topic], limit > 0 else { return [] }
        var picked: [TopicEvent] = []
        for event in log.events.reversed() {
            guard event.publishedAt >= millisecond, picked.count < limit else { break }
            picked.append(event)
        }
        return picked.reversed()
    }

    private static func cost(_ event: TopicEvent) -> Int {
        event.payload.readableBytes + 128
    }
}
