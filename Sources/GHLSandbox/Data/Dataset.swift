import Synchronization
import GHLJSON

/// One record change, as the admin API, the library and webhooks see it.
public struct RecordChange: Sendable {
    public let entity: SandboxEntity
    public let locationID: String
    public let old: JSONValue?
    public let new: JSONValue?
}

/// Which slice of a table a list request wants.
struct PageQuery {
    enum Start {
        case offset(Int)
        case after(RecordKey)
    }
    var start: Start = .offset(0)
    var ascending = true
    var limit: Int
    var filter: (@Sendable (StoredRecord) -> Bool)?
    var includeTotal = true
}

struct Page {
    var records: [StoredRecord]
    var hasMore: Bool
    var total: Int
}

/// All locations' records behind one lock. Requests copy out the records of one page (cheap:
/// the encoded bytes are shared) and encode the response outside the lock.
final class Dataset: Sendable {
    private struct State {
        var locations: [String: LocationData]
        var order: [String]
        var idGenerator: SplitMix64
    }

    private let state: Mutex<State>

    init(configuration: SandboxConfiguration) {
        var locations: [String: LocationData] = [:]
        var order: [String] = []
        for index in 0..<max(configuration.locations, 1) {
            let data = DataGenerator(seed: configuration.seed, locationIndex: index, configuration: configuration).generate()
            locations[data.context.locationID] = data
            order.append(data.context.locationID)
        }
        state = Mutex(State(locations: locations, order: order, idGenerator: SplitMix64(seed: configuration.seed, stream: "admin-ids")))
    }

    /// (locationId, token) in generation order.
    var locationTokens: [(String, String)] {
        state.withLock { s in s.order.map { ($0, s.locations[$0]!.token) } }
    }

    func locationJSON(_ locationID: String) -> [UInt8]? {
        state.withLock { $0.locations[locationID]?.location }
    }

    func context(_ locationID: String) -> LocationContext? {
        state.withLock { $0.locations[locationID]?.context }
    }

    func contains(_ locationID: String) -> Bool {
        state.withLock { $0.locations[locationID] != nil }
    }

    func page(_ entity: SandboxEntity, location: String, _ query: PageQuery) -> Page? {
        state.withLock { s -> Page? in
            guard let table = s.locations[location]?.tables[entity] else { return nil }
            let position: Int
            switch query.start {
            case .after(let key):
                let index = table.firstPosition(after: key, inclusive: !query.ascending)
                position = index
            case .offset(let offset):
                if let filter = query.filter {
                    // Skip `offset` matches from the chosen end.
                    var skipped = 0
                    var index = query.ascending ? 0 : table.count
                    while skipped < offset, query.ascending ? index < table.count : index > 0 {
                        let record = table[query.ascending ? index : index - 1]
                        if filter(record) { skipped += 1 }
                        index += query.ascending ? 1 : -1
                    }
                    position = index
                } else {
                    position = query.ascending ? min(offset, table.count) : max(table.count - offset, 0)
                }
            }
            let (records, hasMore) = table.scan(from: position, ascending: query.ascending, limit: query.limit) {
                query.filter?($0) ?? true
            }
            let total = !query.includeTotal ? 0 : query.filter.map { table.countMatching($0) } ?? table.count
            return Page(records: records, hasMore: hasMore, total: total)
        }
    }

    /// Every record of a table in paging order, for sorts other than creation time.
    func allRecords(_ entity: SandboxEntity, location: String) -> [StoredRecord]? {
        state.withLock { $0.locations[location]?.tables[entity]?.all }
    }

    func record(_ entity: SandboxEntity, location: String, id: String) throws(SandboxError) -> StoredRecord {
        let found = try state.withLock { s throws(SandboxError) -> StoredRecord? in
            guard let data = s.locations[location] else { throw .unknownLocation(location) }
            return data.tables[entity]?[id]
        }
        guard let found else { throw .recordNotFound(entity, id) }
        return found
    }

    func create(_ entity: SandboxEntity, location: String, fields: JSONValue) throws(SandboxError) -> RecordChange {
        guard case .object = fields else { throw .invalidRecord("a record must be a JSON object") }
        return try state.withLock { s throws(SandboxError) -> RecordChange in
            guard let data = s.locations[location] else { throw .unknownLocation(location) }
            let table = data.tables[entity]!
            let id: String
            if let given = fields[entity.idKey] {
                guard let text = given.stringValue, !text.isEmpty else { throw .invalidRecord("\(entity.idKey) must be a non-empty string") }
                guard table[text] == nil else { throw .duplicateID(entity, text) }
                id = text
            } else {
                id = entity.idKey == "_id" ? s.idGenerator.objectID() : s.idGenerator.ghlID()
            }
            let now = max(SandboxTime.nowMilliseconds(), (table.lastKey?.ms ?? 0) + 1)
            var record = RecordShaper.newRecord(entity, id: id, fields: fields, context: data.context, now: now)
            record = RecordShaper.derive(entity, old: nil, new: record, now: now)
            let stored = StoredRecord(id: id, createdAtMs: now, updatedAtMs: now, json: record.encoded)
            s.locations[location]!.tables[entity]!.insert(stored)
            return RecordChange(entity: entity, locationID: location, old: nil, new: record)
        }
    }

    func update(_ entity: SandboxEntity, location: String, id: String, patch: JSONValue) throws(SandboxError) -> RecordChange {
        guard case .object(let fields) = patch else { throw .invalidRecord("a patch must be a JSON object") }
        return try state.withLock { s throws(SandboxError) -> RecordChange in
            guard let data = s.locations[location] else { throw .unknownLocation(location) }
            guard var stored = data.tables[entity]?[id] else { throw .recordNotFound(entity, id) }
            let old = stored.parsed()
            var new = old
            for field in fields where ![entity.idKey, entity.createdKey, entity.updatedKey].contains(field.key) {
                new.set(field.key, field.value == .null ? nil : field.value)
            }
            let now = max(SandboxTime.nowMilliseconds(), stored.updatedAtMs + 1)
            new.set(entity.updatedKey, .string(SandboxTime.iso8601(now)))
            new = RecordShaper.derive(entity, old: old, new: new, now: now)
            stored.updatedAtMs = now
            stored.json = new.encoded
            s.locations[location]!.tables[entity]!.replace(stored)
            return RecordChange(entity: entity, locationID: location, old: old, new: new)
        }
    }

    func delete(_ entity: SandboxEntity, location: String, id: String) throws(SandboxError) -> RecordChange {
        try state.withLock { s throws(SandboxError) -> RecordChange in
            guard s.locations[location] != nil else { throw .unknownLocation(location) }
            guard let removed = s.locations[location]!.tables[entity]!.remove(id: id) else { throw .recordNotFound(entity, id) }
            return RecordChange(entity: entity, locationID: location, old: removed.parsed(), new: nil)
        }
    }
}
