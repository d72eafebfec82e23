import GHLJSON
/// One stored record: its encoded JSON (the form it is served in) and the keys paging needs.
struct StoredRecord: Sendable {
    let id: String
    let createdAtMs: Int64
    var updatedAtMs: Int64
    var json: [UInt8]

    var key: RecordKey { RecordKey(ms: createdAtMs, id: id) }

    func parsed() -> JSONValue {
        // Stored bytes are produced by `JSONWriter`, so they always parse.
        (try? JSONValue(parsing: json)) ?? .null
    }
}

/// The paging order of every list endpoint: creation time, then id. Creation time never
/// changes, so a record present for the whole of a paging run keeps its place and is returned
/// exactly once, whatever else is updated meanwhile; new records sort last.
struct RecordKey: Comparable, Hashable, Sendable {
    let ms: Int64
    let id: String

    static func < (a: RecordKey, b: RecordKey) -> Bool {
        a.ms != b.ms ? a.ms < b.ms : a.id < b.id
    }
}

/// Records of one entity in one location: a sorted key array (offset and cursor pages in
/// O(log n + page)) and an id index.
struct RecordTable: Sendable {
    private(set) var keys: [RecordKey] = []
    private var byID: [String: StoredRecord] = [:]

    var count: Int { keys.count }
    var lastKey: RecordKey? { keys.last }

    subscript(id: String) -> StoredRecord? { byID[id] }
    subscript(position: Int) -> StoredRecord { byID[keys[position].id]! }

    /// Appends records already in key order (generation).
    mutating func appendSorted(_ record: StoredRecord) {
        precondition(keys.last.map { $0 < record.key } ?? true, "generated records must be in key order")
        keys.append(record.key)
        byID[record.id] = record
    }

    mutating func insert(_ record: StoredRecord) {
        let position = firstPosition(after: record.key, inclusive: true)
        keys.insert(record.key, at: position)
        byID[record.id] = record
    }

    /// Replaces the contents of an existing record; its key must not change.
    mutating func replace(_ record: StoredRecord) {
        precondition(byID[record.id]?.key == record.key)
        byID[record.id] = record
    }

    @discardableResult
    mutating func remove(id: String) -> StoredRecord? {
        guard let record = byID.removeValue(forKey: id) else { return nil }
        let position = firstPosition(after: record.key, inclusive: true)
        keys.remove(at: position)
        return record
    }

    /// The first position whose key is greater than `key` (or equal, with `inclusive`).
    func firstPosition(after key: RecordKey, inclusive: Bool = false) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key || (!inclusive && keys[mid] == key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    var all: [StoredRecord] { keys.map { byID[$0.id]! } }

    /// Walks from `start` (ascending) or from just before `start` (descending), collecting up to
    /// `limit` records that match, and says whether another match follows.
    func scan(from start: Int, ascending: Bool, limit: Int, where matches: (StoredRecord) -> Bool) -> (
        records: [StoredRecord], hasMore: Bool
    ) {
        var found: [StoredRecord] = []
        found.reserveCapacity(min(limit, 1024))
        var position = ascending ? start : start - 1
        while position >= 0, position < keys.count {
            let record = self[position]
            if matches(record) {
                if found.count == limit { return (found, true) }
                found.append(record)
            }
            position += ascending ? 1 : -1
        }
        return (found, false)
    }

    func countMatching(_ matches: (StoredRecord) -> Bool) -> Int {
        var total = 0
        for key in keys where matches(byID[key.id]!) { total += 1 }
        return total
    }
}
