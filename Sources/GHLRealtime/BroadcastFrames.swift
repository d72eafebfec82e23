import NIOCore

/// The WebSocket frames of one change, in both Phoenix serializers.
///
/// Built once per event when it is published and shared by every subscriber
/// (Phoenix's fastlane): a broadcast carries no refs, so every subscriber of a
/// topic receives the same bytes, header included, and fan-out copies nothing.
public struct BroadcastFrames: Sendable {
    private let v1: ByteBuffer
    private let v2: ByteBuffer

    init(_ event: TopicEvent) {
        let topic = RealtimeTopic.channelTopic(for: event.topic)
        let name = event.operation.rawValue
        v1 = WebSocketWire.textFrame(PhoenixMessage.broadcastFrame(topic: topic, event: name, payload: event.payload, .v1))
        v2 = WebSocketWire.textFrame(PhoenixMessage.broadcastFrame(topic: topic, event: name, payload: event.payload, .v2))
    }

    /// The whole WebSocket frame, as written to the socket.
    public func wireFrame(_ version: PhoenixVersion) -> ByteBuffer {
        version == .v1 ? v1 : v2
    }

    /// The frame's text: the Phoenix message.
    public subscript(version: PhoenixVersion) -> ByteBuffer {
        WebSocketWire.text(of: wireFrame(version))
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
