/// A JSON object's members in the order they were parsed or set.
///
/// Order is kept so a record written back is the record as received; lookups are
/// linear, which for records of a few dozen short keys is as fast as hashing them.
/// A repeated key counts once, with its last value (as a dictionary would); equality
/// ignores member order, as JSON's does.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    public private(set) var fields: [JSONField]

    public init(_ fields: [JSONField] = []) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        fields = elements.map { JSONField(key: $0.0, value: $0.1) }
    }

    public init(arrayLiteral fields: JSONField...) { self.fields = fields }

    /// The value of `key`; setting `nil` removes the key, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { lastIndex(of: key).map { fields[$0].value } }
        set {
            guard let newValue else {
                // Only when present: removing copies members shared with another value.
                if lastIndex(of: key) != nil { fields.removeAll { $0.key == key } }
                return
            }
            if let index = lastIndex(of: key) {
                fields[index].value = newValue
            } else {
                fields.append(JSONField(key: key, value: newValue))
            }
        }
    }

    /// The position of the last member named `key`: the lookup every read of a record makes.
    private func lastIndex(of key: String) -> Int? {
        fields.withUnsafeBufferPointer { members in
            var index = members.count
            while index > 0 {
                index -= 1
                if members[index].key == key { return index }
            }
            return nil
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let value = self[key]
        self[key] = nil
        return value
    }

    /// Sets every member of `other`: `combine` decides a key both hold, a new key is appended.
    public mutating func merge(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) -> JSONValue) {
        for field in other.fields {
            self[field.key] = self[field.key].map { combine($0, field.value) } ?? field.value
        }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }
    public var keys: [String] { fields.map(\.key) }
    public func makeIterator() -> IndexingIterator<[JSONField]> { fields.makeIterator() }

    /// Members sorted by key (Unicode scalar order: byte order for ASCII keys), one per key:
    /// of a repeated key, the last.
    public var sortedUniqueFields: [JSONField] { sortedUniqueIndices.map { fields[$0] } }

    /// The positions of `sortedUniqueFields` in `fields`.
    var sortedUniqueIndices: [Int] {
        let sorted = asciiSortedIndices ?? fields.indices.sorted { (fields[$0].key, $0) < (fields[$1].key, $1) }
        var unique: [Int] = []
        unique.reserveCapacity(sorted.count)
        for index in sorted {
            if let last = unique.last, fields[last].key == fields[index].key { unique[unique.count - 1] = index } else { unique.append(index) }
        }
        return unique
    }

    /// The same order as sorting by `(key, index)`, for keys that are all ASCII (where String's
    /// order is byte order): each key's first 16 bytes as two big-endian words make most
    /// comparisons two integer comparisons. Nil when a key is not ASCII.
    private var asciiSortedIndices: [Int]? {
        var prefixes: [(high: UInt64, low: UInt64, index: Int)] = []
        prefixes.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            var key = field.key
            let prefix = key.withUTF8 { utf8 -> (UInt64, UInt64)? in
                var words: (UInt64, UInt64) = (0, 0)
                for (offset, byte) in utf8.enumerated() {
                    guard byte < 0x80 else { return nil }
                    if offset < 8 { words.0 |= UInt64(byte) << (56 - 8 * offset) } else if offset < 16 { words.1 |= UInt64(byte) << (120 - 8 * offset) }
                }
                return words
            }
            guard let prefix else { return nil }
            prefixes.append((prefix.0, prefix.1, index))
        }
        prefixes.sort { a, b in
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            return (fields[a.index].key, a.index) < (fields[b.index].key, b.index)
        }
        return prefixes.map(\.index)
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.sortedUniqueFields == rhs.sortedUniqueFields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sortedUniqueFields)
    }
}

/// One member of a JSON object.
public struct JSONField: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}
