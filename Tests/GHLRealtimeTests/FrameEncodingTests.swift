import GHLBench
import GHLJSON
import Foundation
import GHLRealtime
import GHLStore
import Testing

@Suite struct FrameEncodingTests {
    /// Strings from the database are escaped; the rows' JSON text is embedded as is.
    @Test func broadcastFramesAreValidJSONInBothSerializers() async throws {
        let bus = TopicBus(firstSeq: 7)
        let source = "odd \"source\"\\\n\u{1}é"
        let subscription = bus.subscribe(to: "ghl:\(source)")
        bus.publish([ChangeEvent(table: "ghl_contacts", operation: .delete, sourceId: source,
                                 old: #"{"ghl_contact_id":"c1","raw":{"tags":["a","b"]}}"#, new: nil,
                                 timestamp: "2024-01-01T00:00:00.000Z")])
        let batch = try #require(await subscription.next()?.batches.first)
        for version in [PhoenixVersion.v1, .v2] {
            let texts = WebSocketFrameReader.texts(of: batch.frames.wire(version))
            #expect(texts.count == 1)
            let message = try PhoenixMessage.decode(String(buffer: try #require(texts.first)))
            #expect(message.topic == "realtime:ghl:\(source)" && message.event == "broadcast")
            #expect(message.joinRef == nil && message.ref == nil)
            #expect(message.payload["type"] == .string("broadcast") && message.payload["event"] == .string("DELETE"))
            let change = try #require(message.payload["payload"])
            #expect(change["source_id"] == .string(source))
            #expect(change["seq"] == .number(Double(7)) && change["new"] == .null)
            #expect(change["old"]?["raw"]?["tags"] == .array([.string("a"), .string("b")]))
        }
        subscription.cancel()
    }

    @Test func clientMessagesDecodeFromEitherShape() throws {
        let object = try PhoenixMessage.decode(#"{"event":"heartbeat","payload":{},"topic":"phoenix","ref":null,"join_ref":null}"#)
        #expect(object == PhoenixMessage(topic: "phoenix", event: "heartbeat", payload: .object([:])))
        let array = try PhoenixMessage.decode(#"["3","4","realtime:ghl:s","phx_leave",{}]"#)
        #expect(array == PhoenixMessage(joinRef: "3", ref: "4", topic: "realtime:ghl:s", event: "phx_leave", payload: .object([:])))
        #expect(throws: PhoenixMessage.DecodingError.self) { try PhoenixMessage.decode("[1,2]") }
        #expect(throws: PhoenixMessage.DecodingError.self) { try PhoenixMessage.decode("not json") }
    }
}
