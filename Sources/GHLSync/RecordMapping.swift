import GHLAPI
import GHLStore
import GHLJSON

/// GHL JSON record -> row of its entity table (`Entity.columns`).
///
/// Field names follow GHL's API responses and, where they differ, its webhook
/// payloads (an order's contact comes as `contactSnapshot` in `OrderCreate`).
public enum RecordMapping {
    public typealias Object = JSONObject

    /// Maps a record the client read; its id and canonical JSON come with it
    /// (without search's paging cursor, which the client leaves out).
    public static func map(_ entity: Entity, _ record: GHLRecord) -> EntityRecord {
        row(entity, id: record.id, object: record.object, raw: record.canonicalJSON)
    }

    /// Maps a bare JSON object (a webhook payload); throws when it has no usable id.
    public static func map(_ entity: Entity, object: Object) throws(MappingError) -> EntityRecord {
        guard let id = GHLRecord.id(object["id"] ?? object["_id"]) else {
            throw MappingError(entity: entity, reason: "the record has no id")
        }
        return row(entity, id: id, object: object, raw: JSONValue.object(object).canonicalJSON)
    }

    static func row(_ entity: Entity, id: String, object o: Object, raw: String) -> EntityRecord {
        let created = o.timestamp("dateAdded", "createdAt")
        // A create webhook carries no dateUpdated: a record never updated last changed when it was created.
        return EntityRecord(entity, ghlId: id, orderedValues: values(entity, o), raw: raw, ghlCreatedAt: created,
                            ghlUpdatedAt: o.timestamp("dateUpdated", "updatedAt") ?? created)
    }

    /// Each declared column read from the object as its declaration says, in column order.
    private static func values(_ entity: Entity, _ o: Object) -> [StoreValue] {
        let columns = entity.columns
        var values: [StoreValue] = []
        values.reserveCapacity(columns.count)
        for column in columns {
            let value: StoreValue = switch column.reading {
            case .text(let paths): o.text(paths)
            case .real(let paths): o.real(paths)
            case .flag(let key): o.flag(key)
            case .json(let key): o.json(key)
            case .timestamp(let key): o.timestamp(key).map(StoreValue.text) ?? .null
            }
            values.append(value)
        }
        return values
    }
}

/// A record that cannot become a row: reported and skipped, never half-written.
public struct MappingError: Error, CustomStringConvertible, Sendable {
    public var entity: Entity
    public var reason: String
    public var description: String { "cannot map \(entity.rawValue) record: \(reason)" }
}
