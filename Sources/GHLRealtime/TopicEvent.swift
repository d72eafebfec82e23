import GHLStore
import NIOCore
import GHLJSON

/// A committed change as the bus carries it: its sequence number, what it
/// touched, and the broadcast payload, already encoded.
///
/// The payload is encoded once, when the change is published, and the same
/// bytes reach every subscriber and the change log: the `old`/`new` rows are
/// already JSON text, so encoding is concatenation, not re-serialisation.
public struct TopicEvent: Sendable {
    public let seq: Int64
    /// `ghl:{source_id}`.
    public let topic: String
    public let table: String
    public let operation: ChangeEvent.Operation
    /// `{"table","operation","old","new","timestamp","seq","source_id"}` as JSON;
    /// the rows themselves are kept only here.
    public let payload: ByteBuffer
    /// When the bus published it, in Unix milliseconds: what Supabase's
    /// `replay.since` is compared with.
    public let publishedAt: Int64

    init(seq: Int64, change: ChangeEvent, publishedAt: Int64) {
        self.seq = seq
        self.publishedAt = publishedAt
        self.topic = change.topic
        self.table = change.table
        self.operation = change.operation
        var json = ByteBuffer()
        json.reserveCapacity(96 + (change.old?.utf8.count ?? 4) + (change.new?.utf8.count ?? 4)
                             + change.table.utf8.count + change.sourceId.utf8.count)
        json.writeStaticString("{\"table\":")
        json.writeJSONString(change.table)
        json.writeStaticString(",\"operation\":\"")
        json.writeString(change.operation.rawValue)
        json.writeStaticString("\",\"old\":")
        json.writeString(change.old ?? "null")
        json.writeStaticString(",\"new\":")
        json.writeString(change.new ?? "null")
        json.writeStaticString(",\"timestamp\":")
        json.writeJSONString(change.timestamp)
        json.writeStaticString(",\"seq\":")
        json.writeString(String(seq))
        json.writeStaticString(",\"source_id\":")
        json.writeJSONString(change.sourceId)
        json.writeStaticString("}")
        payload = json
    }
}
