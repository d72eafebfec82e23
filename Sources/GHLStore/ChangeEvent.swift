/// One committed row change of a `ghl_*` table: the seed's broadcast payload.
///
/// `old` and `new` are the row as a JSON object (its `raw` column inlined as
/// JSON), kept as text so that the bus forwards them without re-encoding.
/// A DELETE has only `old`, an INSERT only `new`; both carry `sourceId`.
public struct ChangeEvent: Sendable, Equatable {
    public enum Operation: String, Sendable, Codable {
        case insert = "INSERT"
        case update = "UPDATE"
        case delete = "DELETE"
    }

    public var table: String
    public var operation: Operation
    public var sourceId: String
    public var old: String?
    public var new: String?
    /// Commit time, ISO 8601 with milliseconds (UTC).
    public var timestamp: String
    /// Its number in its topic, from the file's change log; nil for an event
    /// built in memory, which the bus numbers itself.
    public var seq: Int64?

    public init(table: String, operation: Operation, sourceId: String, old: String?, new: String?, timestamp: String,
                seq: Int64? = nil) {
        self.table = table
        self.operation = operation
        self.sourceId = sourceId
        self.old = old
        self.new = new
        self.timestamp = timestamp
        self.seq = seq
    }

    /// The realtime topic of this change, as the seed names it.
    public var topic: String { "ghl:\(sourceId)" }
}
