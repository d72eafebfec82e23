import NIOCore
import GHLJSON

/// The Phoenix channels serializer a client asked for with `?vsn=`.
///
/// `1.0.0` (the Python `realtime` client, older supabase-js) frames every
/// message as a JSON object `{join_ref, ref, topic, event, payload}`; `2.0.0`
/// (supabase-js v2 since realtime-js 2.1x) as a JSON array
/// `[join_ref, ref, topic, event, payload]`. Phoenix defaults to 1.0.0.
public enum PhoenixVersion: String, Sendable {
    case v1 = "1.0.0"
    case v2 = "2.0.0"

    public init(query vsn: String?) {
        self = vsn?.hasPrefix("2.") == true ? .v2 : .v1
    }
}

/// One Phoenix channels message, either direction.
public struct PhoenixMessage: Sendable, Equatable {
    public var joinRef: String?
    public var ref: String?
    public var topic: String
    public var event: String
    public var payload: JSONValue

    public init(joinRef: String? = nil, ref: String? = nil, topic: String, event: String, payload: JSONValue) {
        self.joinRef = joinRef
        self.ref = ref
        self.topic = topic
        self.event = event
        self.payload = payload
    }

    public enum DecodingError: Error, CustomStringConvertible {
        case malformed(String)
        public var description: String {
            switch self { case .malformed(let why): "malformed Phoenix message: \(why)" }
        }
    }

    /// Decodes a text frame in either serializer's shape, whatever `vsn` the
    /// client announced: the shape itself says which one it is.
    public static func decode(_ text: String) throws -> PhoenixMessage {
        guard let value = try? JSONValue(parsing: text) else { throw DecodingError.malformed("not JSON") }
        func ref(_ value: JSONValue?) -> String? {
            switch value {
            case .string(let string)?: string
            case .number?: value?.int64Value.map(String.init)
            default: nil
            }
        }
        switch value {
        case .array(let fields) where fields.count == 5:
            guard let topic = fields[2].stringValue, let event = fields[3].stringValue else {
                throw DecodingError.malformed("topic and event must be strings")
            }
            return PhoenixMessage(joinRef: ref(fields[0]), ref: ref(fields[1]), topic: topic, event: event, payload: fields[4])
        case .object(let object):
            guard let topic = object["topic"]?.stringValue, let event = object["event"]?.stringValue else {
                throw DecodingError.malformed("topic and event must be strings")
            }
            return PhoenixMessage(joinRef: ref(object["join_ref"]), ref: ref(object["ref"]), topic: topic,
                                  event: event, payload: object["payload"] ?? .object([:]))
        default:
            throw DecodingError.malformed("expected an object or a 5-element array")
        }
    }

    /// The text frame for this message in the client's serializer. Absent refs
    /// are written as `null`: the Python client requires the keys to exist.
    public func encoded(_ version: PhoenixVersion) -> ByteBuffer {
        let refs: (JSONValue, JSONValue) = (joinRef.map(JSONValue.string) ?? .null, ref.map(JSONValue.string) ?? .null)
        let value: JSONValue = switch version {
        case .v1: .object(["join_ref": refs.0, "ref": refs.1, "topic": .string(topic), "event": .string(event), "payload": payload])
        case .v2: .array([refs.0, refs.1, .string(topic), .string(event), payload])
        }
        return ByteBuffer(bytes: value.encoded)
    }

    /// A broadcast frame around an already-encoded payload, without parsing it:
    /// `{"type":"broadcast","event":<event>,"payload":<payload>}` as the message payload,
    /// no refs (a broadcast answers nothing), so one buffer serves every subscriber.
    /// With `replayedId`, the message answers a replay: `"meta":{"replayed":true,"id":<id>}` follows.
    public static func broadcastFrame(topic: String, event: String, payload: ByteBuffer, replayedId: Int64? = nil,
                                      _ version: PhoenixVersion) -> ByteBuffer {
        var frame = ByteBuffer()
        frame.reserveCapacity(payload.readableBytes + topic.utf8.count + event.utf8.count + 112)
        switch version {
        case .v1:
            frame.writeStaticString("{\"join_ref\":null,\"ref\":null,\"topic\":")
            frame.writeJSONString(topic)
            frame.writeStaticString(",\"event\":\"broadcast\",\"payload\":")
        case .v2:
            frame.writeStaticString("[null,null,")
            frame.writeJSONString(topic)
            frame.writeStaticString(",\"broadcast\",")
        }
        frame.writeStaticString("{\"type\":\"broadcast\",\"event\":")
        frame.writeJSONString(event)
        frame.writeStaticString(",\"payload\":")
        frame.writeImmutableBuffer(payload)
        if let replayedId {
            frame.writeStaticString(",\"meta\":{\"replayed\":true,\"id\":\"")
            frame.writeString(String(replayedId))
            frame.writeStaticString("\"}")
        }
        frame.writeStaticString(version == .v1 ? "}}" : "}]")
        return frame
    }
}
