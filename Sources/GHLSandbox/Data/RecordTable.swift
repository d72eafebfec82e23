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

/// Records of one entity in one location: the records in key order (offset and cursor pages
/// in O(log n + page), a page read straight off the array) and each id's creation time, which
/// with the id is its key.
struct RecordTable: Sendable {
    private var records: [StoredRecord] = []
    private var createdAtMs: [String: Int64] = [:]

    var count: Int { records.count }
    var lastKey: RecordKey? { records.last?.key }

    subscript(id: String) -> StoredRecord? {
        createdAtMs[id].map { records[firstPosition(after: RecordKey(ms: $0, id: id), inclusive: true)] }
    }

    subscript(position: Int) -> StoredRecord { records[position] }

    /// Appends records already in key order (generation).
    mutating func appendSorted(_ record: StoredRecord) {
        precondition(records.last.map { $0.key < record.key } ?? true, "generated records must be in key order")
        records.append(record)
        createdAtMs[record.id] = record.createdAtMs
    }

    mutating func insert(_ record: StoredRecord) {
        records.insert(record, at: firstPosition(after: record.key, inclusive: true))
        createdAtMs[record.id] = record.createdAtMs
    }

    /// Replaces the contents of an existing record; its key must not change.
    mutating func replace(_ record: StoredRecord) {
        precondition(createdAtMs[record.id] == record.createdAtMs)
        records[firstPosition(after: record.key, inclusive: true)] = record
    }

    @discardableResult
    mutating func remove(id: String) -> StoredRecord? {
        guard let ms = createdAtMs.removeValue(forKey: id) else { return nil }
        return records.remove(at: firstPosition(after: RecordKey(ms: ms, id: id), inclusive: true))
    }

    /// The first position whose key is greater than `key` (or equal, with `inclusive`).
    func firstPosition(after key: RecordKey, inclusive: Bool = false) -> Int {
        var low = 0
        var high = records.count
        while low < high {
            let mid = (low + high) / 2
            let midKey = records[mid].key
            if midKey < key || (!inclusive && midKey == key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    var all: [StoredRecord] { records }

    /// Walks from `start` (ascending) or from just before `start` (descending), collecting up to
    /// `limit` records that match, and says whether another match follows.
    func scan(from start: Int, ascending: Bool, limit: Int, where matches: (StoredRecord) -> Bool) -> (
        records: [StoredRecord], hasMore: Bool
    ) {
        var found: [StoredRecord] = []
        found.reserveCapacity(min(limit, 1024))
        var position = ascending ? start : start - 1
        while position >= 0, position < records.count {
            let record = records[position]
            if matches(record) {
                if found.count == limit { return (found, true) }
                found.append(record)
            }
            position += ascending ? 1 : -1
        }
        return (found, false)
    }

    func countMatching(_ matches: (StoredRecord) -> Bool) -> Int {
        records.reduce(0) { $0 + (matches($1) ? 1 : 0) }
    }
}
