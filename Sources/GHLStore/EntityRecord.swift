/// One GHL record, mapped for its entity table and ready to upsert.
///
/// `raw` is the record's full JSON as GHL sent it, canonicalised (sorted keys)
/// so that an unchanged record compares equal and writes nothing.
public struct EntityRecord: Sendable {
    public var ghlId: String
    /// The typed columns' values: in the entity's column order as the sync
    /// maps them (bound as they are, no lookups on the writer), or by name.
    var columns: Columns
    public var raw: String
    public var ghlCreatedAt: String?
    public var ghlUpdatedAt: String?

    enum Columns: Sendable {
        /// Every column of `Entity.columns`, in that order.
        case ordered(Entity, [StoreValue])
        /// By column name; missing ones are NULL, and a name the entity lacks is refused.
        case named([String: StoreValue])
    }

    /// A record whose typed columns are given by name (`Entity.columns`);
    /// missing ones are NULL, and a name the entity lacks is refused.
    public init(ghlId: String, values: [String: StoreValue], raw: String,
                ghlCreatedAt: String?, ghlUpdatedAt: String?) {
        self.init(ghlId: ghlId, columns: .named(values), raw: raw, ghlCreatedAt: ghlCreatedAt, ghlUpdatedAt: ghlUpdatedAt)
    }

    /// A record of `entity` with one value per column of `entity.columns`, in that order.
    public init(_ entity: Entity, ghlId: String, orderedValues: [StoreValue], raw: String,
                ghlCreatedAt: String?, ghlUpdatedAt: String?) {
        precondition(orderedValues.count == entity.columns.count, "\(entity.table) has \(entity.columns.count) typed columns")
        self.init(ghlId: ghlId, columns: .ordered(entity, orderedValues), raw: raw, ghlCreatedAt: ghlCreatedAt,
                  ghlUpdatedAt: ghlUpdatedAt)
    }

    private init(ghlId: String, columns: Columns, raw: String, ghlCreatedAt: String?, ghlUpdatedAt: String?) {
        self.ghlId = ghlId
        self.columns = columns
        self.raw = raw
        self.ghlCreatedAt = ghlCreatedAt
        self.ghlUpdatedAt = ghlUpdatedAt
    }

    /// The typed columns' values by name.
    public var values: [String: StoreValue] {
        switch columns {
        case .named(let values): values
        case .ordered(let entity, let values): Dictionary(uniqueKeysWithValues: zip(entity.columns.map(\.name), values))
        }
    }

    /// The value of typed column `name`; nil when the record does not give it.
    public func value(_ name: String) -> StoreValue? {
        switch columns {
        case .named(let values): values[name]
        case .ordered(let entity, let values): entity.columns.firstIndex { $0.name == name }.map { values[$0] }
        }
    }
}
