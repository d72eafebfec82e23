import NIOCore

/// The WebSocket frames of a batch of changes, in both Phoenix serializers.
///
/// Built once per commit when it is published and shared by every subscriber
/// (Phoenix's fastlane): a broadcast carries no refs, so every subscriber of a
/// topic receives the same bytes, headers included. A subscriber writes a
/// commit's frames as one buffer, so fan-out copies nothing and costs one
/// channel write per subscriber per commit.
public struct BroadcastFrames: Sendable {
    private let v1: ByteBuffer
    private let v2: ByteBuffer

    /// - Parameter replayed: the events answer Supabase's replay option, and
    ///   say so as Supabase does (`meta: {replayed: true, id}`).
    init(_ events: [TopicEvent], replayed: Bool = false) {
        v1 = Self.frames(events, .v1, replayed: replayed)
        v2 = Self.frames(events, .v2, replayed: replayed)
    }

    private static func frames(_ events: [TopicEvent], _ version: PhoenixVersion, replayed: Bool) -> ByteBuffer {
        var frames = ByteBuffer()
        frames.reserveCapacity(events.reduce(0) { $0 + $1.payload.readableBytes + 160 })
        for event in events {
            let topic = RealtimeTopic.channelTopic(for: event.topic)
            WebSocketWire.writeTextFrame(PhoenixMessage.broadcastFrame(topic: topic, event: event.operation.rawValue,
                                                                      payload: event.payload, replayedId: replayed ? event.seq : nil,
                                                                      version), to: &frames)
        }
        return frames
    }

    /// The frames back to back, as written to the socket.
    public func wire(_ version: PhoenixVersion) -> ByteBuffer {
        version == .v1 ? v1 : v2
    }
}

/// Names of the bus topics and of the Phoenix channels that carry them.
public enum RealtimeTopic {
    /// Supabase clients prefix every channel name with `realtime:`.
    public static let channelPrefix = "realtime:"
    public static let sourcePrefix = "ghl:"

    /// `ghl:{source_id}` -> `realtime:ghl:{source_id}`.
    public static func channelTopic(for busTopic: String) -> String { channelPrefix + busTopic }

    /// The source of a channel topic `realtime:ghl:{source_id}`, or nil for any other topic.
    /// A source id is letters, digits, `-` and `_` (ghlsync's are UUIDs): anything
    /// else (a NUL, a separator, a space) could pass a lookup that stops short of
    /// it while naming another topic, so it names no source.
    public static func sourceId(ofChannel topic: String) -> String? {
        guard topic.hasPrefix(channelPrefix + sourcePrefix) else { return nil }
        let id = topic.utf8.dropFirst(channelPrefix.count + sourcePrefix.count)
        guard (1...128).contains(id.count), id.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }) else { return nil }
        return String(decoding: id, as: UTF8.self)
    }
}
