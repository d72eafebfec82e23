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
        var writer = JSONWriter()
        self.init(id: id, object: object, writer: &writer)
    }

    /// Writes the canonical JSON with `writer`: one writer for a page's records sorts their keys once.
    init(id: String, object: JSONObject, writer: inout JSONWriter) {
        self.id = id
        self.object = object
        self.canonicalJSON = writer.canonicalText(.object(object))
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
    static func read(_ elements: consuming [JSONValue], as resource: GHLResource) -> (records: [GHLRecord], malformed: [GHLMalformedRecord]) {
        var records: [GHLRecord] = []
        records.reserveCapacity(elements.count)
        var malformed: [GHLMalformedRecord] = []
        let cursorKey = resource.pagingScheme == .searchAfter ? "searchAfter" : nil
        let typedFields = TypedFields(resource.typedFields)
        var writer = JSONWriter(capacity: 4096)
        for index in elements.indices {
            // Taken out of the page, so dropping the cursor key changes the record in place.
            let element = elements[index]
            elements[index] = .null
            switch read(element, typedFields: typedFields, droppingKey: cursorKey, writer: &writer) {
            case .success(let record): records.append(record)
            case .failure(let problem):
                malformed.append(GHLMalformedRecord(index: index, id: problem.id, reason: problem.reason,
                                                    rawJSON: problem.element.canonicalJSON))
            }
        }
        return (records, malformed)
    }

    struct Problem: Error {
        var id: String?
        var reason: String
        /// The record as received.
        var element: JSONValue
    }

    /// - Parameter droppingKey: a member that is paging data, not part of the
    ///   record: search adds `searchAfter` (the sort values that follow the
    ///   record) to each. It changes with the sort order, so keeping it would
    ///   make an unchanged record look changed to an incremental run sorted by
    ///   update time. The paginator reads it from the page before this.
    static func read(_ element: JSONValue, typedFields: [(name: String, type: String)],
                     droppingKey: String? = nil) -> Result<GHLRecord, Problem> {
        var writer = JSONWriter()
        return read(element, typedFields: TypedFields(typedFields), droppingKey: droppingKey, writer: &writer)
    }

    static func read(_ element: consuming JSONValue, typedFields: TypedFields,
                     droppingKey: String?, writer: inout JSONWriter) -> Result<GHLRecord, Problem> {
        var object: JSONObject
        switch consume element {
        case .object(let members): object = members
        case let other: return .failure(Problem(reason: "expected an object, got \(other.typeName)", element: other))
        }
        let idValue = object["id"] ?? object["_id"]
        guard let idValue, !idValue.isNull else { return .failure(Problem(reason: "no id", element: .object(object))) }
        guard let id = GHLRecord.id(idValue) else {
            return .failure(Problem(reason: "id is \(idValue.typeName == "string" ? "empty" : withArticle(idValue.typeName)), expected a string",
                                    element: .object(object)))
        }
        let unexpected = typedFields.unexpected(in: object)
        if let droppingKey { object.removeValue(forKey: droppingKey) }
        var record = GHLRecord(id: id, object: object, writer: &writer)
        record.unexpectedTypes = unexpected
        return .success(record)
    }
}
