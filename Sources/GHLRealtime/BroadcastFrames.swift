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

    /// Each frame's text: the Phoenix messages, one per event.
    public func messages(_ version: PhoenixVersion) -> [ByteBuffer] {
        WebSocketWire.texts(of: wire(version))
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
    public static func sourceId(ofChannel topic: String) -> String? {
        guard topic.hasPrefix(channelPrefix + sourcePrefix) else { return nil }
        let id = topic.dropFirst(channelPrefix.count + sourcePrefix.count)
        return id.isEmpty ? nil : String(id)
    }
}
