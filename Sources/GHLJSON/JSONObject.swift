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
        get { fields.last { $0.key == key }?.value }
        set {
            guard let newValue else {
                fields.removeAll { $0.key == key }
                return
            }
            if let index = fields.lastIndex(where: { $0.key == key }) {
                fields[index].value = newValue
            } else {
                fields.append(JSONField(key: key, value: newValue))
            }
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
    public var sortedUniqueFields: [JSONField] {
        let sorted = fields.indices.sorted { (fields[$0].key, $0) < (fields[$1].key, $1) }
        var unique: [JSONField] = []
        unique.reserveCapacity(sorted.count)
        for index in sorted {
            if unique.last?.key == fields[index].key { unique[unique.count - 1] = fields[index] } else { unique.append(fields[index]) }
        }
        return unique
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
