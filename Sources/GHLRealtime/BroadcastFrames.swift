import NIOCore

/// The WebSocket text frames of one change, in both Phoenix serializers.
///
/// Built once per event when it is published and shared by every subscriber,
/// so fan-out copies no bytes: each socket writes the same buffer.
public struct BroadcastFrames: Sendable {
    public let v1: ByteBuffer
    public let v2: ByteBuffer

    init(_ event: TopicEvent) {
        let topic = RealtimeTopic.channelTopic(for: event.topic)
        let name = event.operation.rawValue
        v1 = PhoenixMessage.broadcastFrame(topic: topic, event: name, payload: event.payload, .v1)
        v2 = PhoenixMessage.broadcastFrame(topic: topic, event: name, payload: event.payload, .v2)
    }

    public subscript(version: PhoenixVersion) -> ByteBuffer {
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
    public static func sourceId(ofChannel topic: String) -> String? {
        guard topic.hasPrefix(channelPrefix + sourcePrefix) else { return nil }
        let id = topic.dropFirst(channelPrefix.count + sourcePrefix.count)
        return id.isEmpty ? nil : String(id)
    }
}
