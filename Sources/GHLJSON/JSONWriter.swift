/// Writes JSON straight into bytes: the sandbox encodes each generated record once with it,
/// and every `JSONValue` is written through it, as-is or canonically.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false
    /// The keys of objects written canonically, by nesting depth.
    private var sortedKeys: [SortedKeyCache] = []

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// An object key; the next value call writes its value.
    public mutating func key(_ name: String) {
        separate()
        JSONString.append(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) { separate(); JSONString.append(value, to: &bytes); needsComma = true }
    public mutating func int(_ value: Int64) { separate(); bytes.append(contentsOf: String(value).utf8); needsComma = true }
    public mutating func int(_ value: Int) { int(Int64(value)) }
    public mutating func bool(_ value: Bool) { separate(); bytes.append(contentsOf: (value ? "true" : "false").utf8); needsComma = true }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8); needsComma = true }

    /// Integral doubles print without a fraction (`500`, not `500.0`), as JavaScript servers do;
    /// others in Swift's shortest round-trip form; non-finite ones (not JSON) as `null`.
    public mutating func number(_ value: Double) {
        separate()
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else if value.isFinite {
            bytes.append(contentsOf: String(value).utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
        needsComma = true
    }

    /// Bytes that are already one complete JSON value.
    public mutating func raw(_ json: [UInt8]) { separate(); bytes.append(contentsOf: json); needsComma = true }

    /// A JSON value; `canonical` sorts object keys (one member per key) so that equal values give equal bytes.
    public mutating func value(_ value: JSONValue, canonical: Bool = false) {
        write(value, canonicalDepth: canonical ? 0 : nil)
    }

    /// Writes `value` canonically and returns its text, leaving the writer empty for the next.
    /// A writer reused for the records of a page sorts their keys once (`SortedKeyCache`).
    public mutating func canonicalText(_ value: JSONValue) -> String {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
        write(value, canonicalDepth: 0)
        // Every byte came from a String or is ASCII punctuation: valid UTF-8, no need to check it again.
        return unsafe String(copying: UTF8Span(unchecked: bytes.span))
    }

    /// `canonicalDepth`: nil writes members in their order, a depth sorts them (see `sortedOrder`).
    private mutating func write(_ value: JSONValue, canonicalDepth depth: Int?) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { write(element, canonicalDepth: depth.map { $0 + 1 }) }
            endArray()
        case .object(let members):
            beginObject()
            if let depth {
                for index in sortedOrder(of: members, depth: depth) {
                    key(members.fields[index].key)
                    write(members.fields[index].value, canonicalDepth: depth + 1)
                }
            } else {
                for field in members.fields {
                    key(field.key)
                    write(field.value, canonicalDepth: nil)
                }
            }
            endObject()
        }
    }

    /// `members.sortedUniqueIndices`, from the keys of the objects written before at `depth`.
    private mutating func sortedOrder(of members: JSONObject, depth: Int) -> [Int] {
        while sortedKeys.count <= depth { sortedKeys.append(SortedKeyCache()) }
        return sortedKeys[depth].sortedIndices(of: members)
    }

    // Convenience for the many optional fields of generated records: absent values are omitted,
    // as GHL omits them.
    public mutating func field(_ name: String, _ value: String?) { if let value { key(name); string(value) } }
    public mutating func field(_ name: String, _ value: Int64) { key(name); int(value) }
    public mutating func field(_ name: String, _ value: Int) { key(name); int(value) }
    public mutating func field(_ name: String, _ value: Double) { key(name); number(value) }
    public mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }
    public mutating func field(_ name: String, strings: [String]) {
        key(name)
        beginArray()
        for value in strings { string(value) }
        endArray()
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}

extension JSONValue {
    /// Compact JSON, object members in their order.
    public var encoded: [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.value(self)
        return writer.bytes
    }

    public var encodedString: String { String(decoding: encoded, as: UTF8.self) }

    /// Compact JSON with object keys sorted: the same value always gives the same text, so the
    /// store can compare raw records for equality and write nothing when a record has not changed.
    public var canonicalJSON: String {
        var writer = JSONWriter(capacity: 256)
        writer.value(self, canonical: true)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
