/// One GHL record, mapped for its entity table and ready to upsert.
///
/// `raw` is the record's full JSON as GHL sent it, canonicalised (sorted keys)
/// so that an unchanged record compares equal and writes nothing.
public struct EntityRecord: Sendable {
    public var ghlId: String
    /// Values of the entity's typed columns (`Entity.columns`), by column
    /// name; missing ones are NULL, and a name the entity lacks is refused.
    public var values: [String: StoreValue]
    public var raw: String
    public var ghlCreatedAt: String?
    public var ghlUpdatedAt: String?

    public init(ghlId: String, values: [String: StoreValue], raw: String,
                ghlCreatedAt: String?, ghlUpdatedAt: String?) {
        self.ghlId = ghlId
        self.values = values
        self.raw = raw
        self.ghlCreatedAt = ghlCreatedAt
        self.ghlUpdatedAt = ghlUpdatedAt
    }
}
