import NIOCore

/// The last published events, oldest first, bounded by count and by bytes.
///
/// Sequence numbers are consecutive, so the event after `seq` sits at a
/// computed index: a resume costs a scan of the missed range, not a search.
struct ChangeLog {
    let capacity: Int
    let byteLimit: Int
    private var events = CircularBuffer<TopicEvent>()
    private var bytes = 0
    /// The seq the next appended event must carry.
    private(set) var nextSeq: Int64

    init(capacity: Int, byteLimit: Int, firstSeq: Int64) {
        self.capacity = max(1, capacity)
        self.byteLimit = byteLimit
        self.nextSeq = firstSeq
        events.reserveCapacity(min(self.capacity, 4_096))
    }

    /// The oldest seq still held; `nextSeq` when the log is empty.
    var horizon: Int64 { events.first?.seq ?? nextSeq }
    var count: Int { events.count }
    var byteCount: Int { bytes }

    mutating func append(_ event: TopicEvent) {
        precondition(event.seq == nextSeq, "change log seqs must be consecutive")
        nextSeq += 1
        events.append(event)
        bytes += Self.cost(event)
        while events.count > capacity || (bytes > byteLimit && events.count > 1) {
            bytes -= Self.cost(events.removeFirst())
        }
    }

    /// The events of `topic` after `seq`, or nil when some of them are gone
    /// (older than the horizon) or `seq` is not one this log handed out.
    func events(of topic: String, after seq: Int64) -> [TopicEvent]? {
        guard seq >= horizon - 1, seq < nextSeq else { return nil }
        let skip = Int(seq + 1 - horizon)
        return events[events.index(events.startIndex, offsetBy: skip)...].filter { $0.topic == topic }
    }

    private static func cost(_ event: TopicEvent) -> Int {
        event.payload.readableBytes + 128
    }
}
