/// Any JSON value, so a record keeps every field GHL sends, known or not.
///
/// Numbers are `Double`: every number GHL sends (amounts, ratings, epoch
/// milliseconds) and every Phoenix ref or sequence fits exactly below 2^53.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member `key` of an object; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an integer when it is one.
    public var intValue: Int? {
        guard case .number(let value) = self, let int = Int(exactly: value) else { return nil }
        return int
    }

    /// An integer, also when a client sent it as a whole float or a numeric string. A whole
    /// number beyond Int64 (`9223372036854775807` parses to 2^63) is clamped to Int64's range.
    public var int64Value: Int64? {
        switch self {
        case .number(let value) where value.rounded() == value:
            value >= 0x1p63 ? .max : value <= -0x1p63 ? .min : Int64(value)
        case .string(let value): Int64(value)
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Sets (or, with `nil`, removes) a member of an object, keeping member order; no-op on other values.
    public mutating func set(_ key: String, _ value: JSONValue?) {
        guard case .object(var members) = self else { return }
        members[key] = value
        self = .object(members)
    }

    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    // Not ExpressibleByNilLiteral: `nil` must stay "absent" (`set(key, nil)` removes a member), never `.null`.
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONField(key: $0.0, value: $0.1) }))
    }
}
