import GHLJSON
/// One record as GHL sent it: every field kept, known or not.
public struct GHLRecord: Sendable, Hashable {
    /// GHL's id (`id`, or `_id` for payments and reviews).
    public var id: String
    public var object: JSONObject
    /// The record as compact JSON with sorted keys: what the store keeps as `raw`.
    public var canonicalJSON: String
    /// Fields GHL sent with another JSON type than the one ghlsync reads
    /// (`"dateAdded is a number, expected a string"`): the record is kept
    /// whole in `raw`, its typed columns coerced where the meaning is clear.
    public var unexpectedTypes: [String] = []

    public init(id: String, object: JSONObject) {
        self.id = id
        self.object = object
        self.canonicalJSON = JSONValue.object(object).canonicalJSON
    }

    /// A record's id as text: a string, or a number GHL sent in its place.
    /// Nil when there is none, the one thing that makes a record unusable.
    public static func id(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)? where !text.isEmpty: text
        case .number?: value?.canonicalJSON
        default: nil
        }
    }

    public subscript(key: String) -> JSONValue? { object[key] }

    /// A string field; nil when missing, null or not a string.
    public func string(_ key: String) -> String? { object[key]?.stringValue }

    /// A number field; nil when missing, null or not a number.
    public func number(_ key: String) -> Double? { object[key]?.doubleValue }

    /// GHL's creation time as sent (`dateAdded` for contacts, `createdAt` elsewhere).
    public var createdAt: String? { string("dateAdded") ?? string("createdAt") }

    /// GHL's update time as sent (`dateUpdated` for contacts, `updatedAt` elsewhere).
    public var updatedAt: String? { string("dateUpdated") ?? string("updatedAt") }
}

/// A record of a page that could not be read (not an object, or no id). The rest of the page is kept.
public struct GHLMalformedRecord: Sendable, Hashable, CustomStringConvertible {
    /// Its position in the page's record array.
    public var index: Int
    /// Its id, when it had a readable one.
    public var id: String?
    public var reason: String
    /// The record as received, for the log.
    public var rawJSON: String

    public var description: String {
        "record \(index)\(id.map { " (\($0))" } ?? ""): \(reason)"
    }
}

extension GHLRecord {
    /// Reads the records of a page, sorting out those that cannot be used.
    static func read(_ elements: [JSONValue], as resource: GHLResource) -> (records: [GHLRecord], malformed: [GHLMalformedRecord]) {
        var records: [GHLRecord] = []
        records.reserveCapacity(elements.count)
        var malformed: [GHLMalformedRecord] = []
        let cursorKey = resource.pagingScheme == .searchAfter ? "searchAfter" : nil
        for (index, element) in elements.enumerated() {
            switch read(element, typedFields: resource.typedFields, droppingKey: cursorKey) {
            case .success(let record): records.append(record)
            case .failure(let problem):
                malformed.append(GHLMalformedRecord(index: index, id: problem.id, reason: problem.reason,
                                                    rawJSON: element.canonicalJSON))
            }
        }
        return (records, malformed)
    }

    struct Problem: Error {
        var id: String?
        var reason: String
    }

    /// - Parameter droppingKey: a member that is paging data, not part of the
    ///   record: search adds `searchAfter` (the sort values that follow the
    ///   record) to each. It changes with the sort order, so keeping it would
    ///   make an unchanged record look changed to an incremental run sorted by
    ///   update time. The paginator reads it from the page before this.
    static func read(_ element: JSONValue, typedFields: [(name: String, type: String)],
                     droppingKey: String? = nil) -> Result<GHLRecord, Problem> {
        guard case .object(var object) = element else {
            return .failure(Problem(reason: "expected an object, got \(element.typeName)"))
        }
        let idValue = object["id"] ?? object["_id"]
        guard let idValue, !idValue.isNull else { return .failure(Problem(reason: "no id")) }
        guard let id = GHLRecord.id(idValue) else {
            return .failure(Problem(reason: "id is \(idValue.typeName == "string" ? "empty" : withArticle(idValue.typeName)), expected a string"))
        }
        let unexpected = typedFields.compactMap { field -> String? in
            guard let value = object[field.name], !value.isNull, value.typeName != field.type else { return nil }
            return "\(field.name) is \(withArticle(value.typeName)), expected \(withArticle(field.type))"
        }
        if let droppingKey { object.removeValue(forKey: droppingKey) }
        var record = GHLRecord(id: id, object: object)
        record.unexpectedTypes = unexpected
        return .success(record)
    }
}

private func withArticle(_ typeName: String) -> String {
    (typeName.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + typeName
}
