import GHLJSON
import Testing

/// Canonical JSON is what the store compares to find unchanged records, so its bytes must not
/// change: these tests compare the writer (one writer reused over many records, as the client
/// uses it for a page) with the canonical form computed as it was before, by sorting each
/// object's members by `(key, position)` and keeping the last of a repeated key, over
/// generated values with unicode (also canonically equivalent keys), escapes, numbers,
/// nesting, omitted, reordered and repeated keys.
@Suite struct CanonicalWriterTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func aReusedWriterWritesWhatSortingEachObjectWrites(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var writer = JSONWriter()
        for _ in 0..<400 {
            let value = random.record()
            let expected = String(decoding: Self.sortedByPosition(value).encoded, as: UTF8.self)
            #expect(writer.canonicalText(value) == expected)
            #expect(value.canonicalJSON == expected)
        }
    }

    @Test(arguments: [11, 12, 13, 14] as [UInt64])
    func aPageParsesBackToTheSameKeysAndValues(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let records = (0..<300).map { _ in random.record() }
        let page = JSONValue.array(records)
        let parsed = try JSONValue(parsing: page.encoded)
        #expect(parsed.encoded == page.encoded)
        // Keys compared by their bytes: a parsed key must be the very key sent, not an equivalent one.
        for (record, back) in zip(records, parsed.arrayValue!) {
            #expect(Self.keyBytes(back) == Self.keyBytes(record))
        }
    }

    @Test func objectsThatOrderTheirKeysDifferentlyAreEachSorted() {
        var writer = JSONWriter()
        let objects: [JSONValue] = [["b": 1, "a": 2, "c": 3], ["c": 1, "a": 2], ["a": 1, "c": 2, "b": 3], ["b": 1, "b": 2, "a": 3],
                                    ["é": 1, "e\u{301}": 2], ["e\u{301}": 1, "é": 2, "K": 3, "\u{212A}": 4], [:], ["a": [:]]]
        for object in objects {
            #expect(writer.canonicalText(object) == String(decoding: Self.sortedByPosition(object).encoded, as: UTF8.self))
        }
        #expect(writer.canonicalText(["b": 1, "b": 2, "a": 3]) == #"{"a":3,"b":2}"#)
    }

    /// The canonical form as it was computed before: members sorted by `(key, position)`, of a repeated key the last.
    static func sortedByPosition(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): return .array(elements.map(sortedByPosition))
        case .object(let members):
            let fields = members.fields
            let order = fields.indices.sorted { (fields[$0].key, $0) < (fields[$1].key, $1) }
            var unique: [JSONField] = []
            for index in order {
                let field = JSONField(key: fields[index].key, value: sortedByPosition(fields[index].value))
                if unique.last?.key == field.key { unique[unique.count - 1] = field } else { unique.append(field) }
            }
            return .object(JSONObject(unique))
        default: return value
        }
    }

    static func keyBytes(_ value: JSONValue) -> [[UInt8]] {
        switch value {
        case .array(let elements): return elements.flatMap(keyBytes)
        case .object(let members): return members.fields.flatMap { [Array($0.key.utf8)] + keyBytes($0.value) }
        default: return []
        }
    }
}

/// Seeded values shaped like a page's records: a family of keys in one order, some left out,
/// now and then reordered or repeated, with nested objects and arrays.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    static let keys = ["id", "locationId", "firstName", "firstNameLowerCase", "lastNameLowerCase", "email", "tags", "dnd",
                       "customFields", "dateAdded", "é", "e\u{301}", "\u{212A}", "K", "ключ", "😀", "a\"b", "tab\tkey",
                       "\\", "", "ab", "ba", "x\u{0}", "contactName", "contactNamf"]
    static let strings = ["", "plain", "with \"quotes\" and \\ backslash", "line\nbreak\r\ttab", "\u{1}\u{1f}", "é",
                          "e\u{301}", "日本語", "😀 emoji", "/slash", "a much longer value that is not a small string at all"]
    static let numbers: [Double] = [0, -0.0, 1, -1, 42, 1_700_000_000_123, 0.1, -12.5, 1e20, 1e-7, 123456.789, 9_007_199_254_740_993]

    mutating func scalar() -> JSONValue {
        switch below(5) {
        case 0: .null
        case 1: .bool(below(2) == 0)
        case 2: .number(pick(Self.numbers))
        default: .string(pick(Self.strings))
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        guard depth < 3 else { return scalar() }
        switch below(8) {
        case 0: return .array((0..<below(4)).map { _ in value(depth: depth + 1) })
        case 1: return object(depth: depth + 1)
        default: return scalar()
        }
    }

    mutating func object(depth: Int) -> JSONValue {
        .object(JSONObject((0..<below(5)).map { _ in JSONField(key: pick(Self.keys), value: value(depth: depth)) }))
    }

    /// A record: the family's keys in their order, each present with probability 3/4; one in
    /// ten records swaps two keys, one in ten repeats one.
    mutating func record() -> JSONValue {
        var fields = Self.keys.filter { _ in below(4) != 0 }.map { JSONField(key: $0, value: value(depth: 1)) }
        if fields.count > 2, below(10) == 0 { fields.swapAt(below(fields.count), below(fields.count)) }
        if !fields.isEmpty, below(10) == 0 { fields.insert(JSONField(key: pick(fields).key, value: scalar()), at: below(fields.count)) }
        return .object(JSONObject(fields))
    }
}
