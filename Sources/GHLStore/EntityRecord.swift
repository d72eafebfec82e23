import GRDB

/// One GHL record, mapped for its entity table and ready to upsert.
///
/// `raw` is the record's full JSON as GHL sent it, canonicalised (sorted keys)
/// so that an unchanged record compares equal and writes nothing.
public struct EntityRecord: Sendable {
    public var ghlId: String
    /// Values of the entity's typed columns, by column name; missing ones are NULL.
    public var values: [String: DatabaseValue]
    public var raw: String
    public var ghlCreatedAt: String?
    public var ghlUpdatedAt: String?

    public init(ghlId: String, values: [String: DatabaseValue], raw: String,
                ghlCreatedAt: String?, ghlUpdatedAt: String?) {
        self.ghlId = ghlId
        self.values = values
        self.raw = raw
        self.ghlCreatedAt = ghlCreatedAt
        self.ghlUpdatedAt = ghlUpdatedAt
    }
}
