import Hummingbird
import GHLJSON

extension SandboxCore {
    /// `POST /contacts/search` and `POST /opportunities/search`: `{"<entity>": [...], "total": N}`,
    /// each record with its `searchAfter`; opportunities add `"aggregations": {}` as the spec's
    /// `PostSearchSuccessfulResponseDto` does.
    func search(_ vocabulary: SearchVocabulary, _ request: Request) async throws -> Response {
        let raw = try await request.body.collect(upTo: 1 << 20)
        let parsed = try? JSONValue(parsing: raw.readableBytesView)
        let admission = try await admit(request, endpoint: vocabulary.endpoint, location: parsed?["locationId"]?.stringValue)
        let search = try SearchRequest(parsed ?? .null, vocabulary, admission: admission)
        let page = search.run(on: dataset, location: admission.locationID)
        var body = PageBody(records: page.records)
        body.write("{\"\(vocabulary.entity.rawValue)\":[")
        body.writeRecords(page.records, corruptFirst: admission.recordFault, extra: search.cursor)
        body.write("],\"total\":\(page.total)")
        body.write(vocabulary.entity == .opportunities ? ",\"aggregations\":{}}" : "}")
        return admission.respond(body.buffer)
    }
}

/// The names one search endpoint uses in its body: `POST /contacts/search` speaks camelCase
/// record keys and `pageLimit`, `POST /opportunities/search` snake_case filter fields and `limit`.
struct SearchVocabulary: Sendable {
    let entity: SandboxEntity
    let limitKey: String
    let dateAdded: String
    let dateUpdated: String
    /// Filter field -> record key; nil takes any field name as the record's own top-level key.
    let fields: [String: String]?
    /// Record keys the free-text `query` looks in.
    let queryKeys: [String]

    static let contacts = SearchVocabulary(entity: .contacts, limitKey: "pageLimit", dateAdded: "dateAdded",
                                           dateUpdated: "dateUpdated", fields: nil,
                                           queryKeys: ["contactName", "email", "phone", "companyName"])
    /// The filter fields of GHL's opportunity search (public docs) whose values the records carry.
    static let opportunities = SearchVocabulary(
        entity: .opportunities, limitKey: "limit", dateAdded: "date_added", dateUpdated: "date_updated",
        fields: ["id": "id", "name": "name", "monetary_value": "monetaryValue", "pipeline_id": "pipelineId",
                 "pipeline_stage_id": "pipelineStageId", "status": "status", "lost_reason_id": "lostReasonId",
                 "source": "source", "assigned_to": "assignedTo", "followers": "followers", "contact_id": "contactId",
                 "last_status_change_date": "lastStatusChangeAt", "last_stage_change_date": "lastStageChangeAt"],
        queryKeys: ["name"])

    var endpoint: String { "POST /\(entity.rawValue)/search" }
}

/// A parsed search body (`POST /contacts/search`, `POST /opportunities/search`): paging,
/// `filters` and `sort`.
///
/// Paging: `page` (from 1) while page * limit <= 10,000, or `searchAfter` = the `searchAfter`
/// of the last record served (`[ms, id]`; the ms may come as a string). Filters: `{"field",
/// "operator", "value"}` items and `{"group": "AND"|"OR", "filters": [...]}` groups. The two date
/// fields take `range` (value `{gt, gte, lt, lte}`: ISO dates or epoch ms), `exists`,
/// `not_exists`; contacts' `customFields.{id}` tests the `value` of that custom field; other fields `eq`/`not_eq` (strings case-insensitively, numbers, booleans;
/// on an array field: has every listed value / has none), `contains`/`not_contains` (substring,
/// or array membership), `range` on numbers and dates, `exists`/`not_exists`. Sort: the first of
/// `[{"field": <date added>|<date updated>, "direction": "asc"|"desc"}]`; default date added
/// ascending, ties broken by id.
struct SearchRequest {
    let vocabulary: SearchVocabulary
    let limit: Int
    let page: Int?
    let searchAfter: RecordKey?
    let filter: (@Sendable (StoredRecord) -> Bool)?
    let sortByUpdated: Bool
    let ascending: Bool

    init(_ body: JSONValue, _ vocabulary: SearchVocabulary, admission: Admission) throws(APIError) {
        self.vocabulary = vocabulary
        guard body.objectValue != nil else { throw admission.fail("body must be a JSON object") }
        func integer(_ key: String) throws(APIError) -> Int? {
            guard let value = body[key], value != .null else { return nil }
            guard let number = value.doubleValue, number == number.rounded(), let int = Int(exactly: number) else {
                throw admission.fail("\(key) must be an integer")
            }
            return int
        }
        limit = try integer(vocabulary.limitKey) ?? 20
        guard (1...maxSearchPageSize).contains(limit) else {
            throw admission.fail("\(vocabulary.limitKey) must be from 1 to \(maxSearchPageSize)")
        }
        var predicates: [Predicate] = []
        if let query = body["query"], query != .null {
            guard let text = query.stringValue?.lowercased() else { throw admission.fail("query must be a string") }
            let keys = vocabulary.queryKeys
            if !text.isEmpty {
                predicates.append { r in
                    let record = r.parsed()
                    return keys.contains { record[$0]?.stringValue?.lowercased().contains(text) ?? false }
                }
            }
        }
        page = try integer("page")
        if let cursor = body["searchAfter"], cursor != .null {
            guard page == nil else { throw admission.fail("send either page or searchAfter, not both") }
            guard let values = cursor.arrayValue, values.count == 2,
                let ms = values[0].doubleValue ?? values[0].stringValue.flatMap({ Double($0) }),
                let id = values[1].stringValue
            else { throw admission.fail("searchAfter must be [timestamp, id] as returned in a record's searchAfter") }
            searchAfter = RecordKey(ms: Int64(ms), id: id)
        } else {
            searchAfter = nil
        }
        if let page {
            guard page >= 1 else { throw admission.fail("page must be 1 or more") }
            guard page * limit <= maxSearchPageDepth else {
                throw admission.fail("page * \(vocabulary.limitKey) must not exceed \(maxSearchPageDepth); use searchAfter to go deeper")
            }
        }
        var sortByUpdated = false
        var ascending = true
        if let sort = body["sort"], sort != .null {
            let fallback: JSONValue? = sort.objectValue != nil ? sort : nil
            guard let first = sort.arrayValue?.first ?? fallback else {
                throw admission.fail("sort must be an array of {field, direction}")
            }
            switch first["field"]?.stringValue {
            case vocabulary.dateAdded?: break
            case vocabulary.dateUpdated?: sortByUpdated = true
            default: throw admission.fail("sort field must be \(vocabulary.dateAdded) or \(vocabulary.dateUpdated)")
            }
            switch first["direction"]?.stringValue ?? "asc" {
            case "asc": break
            case "desc": ascending = false
            default: throw admission.fail("sort direction must be asc or desc")
            }
        }
        self.sortByUpdated = sortByUpdated
        self.ascending = ascending
        if let filters = body["filters"], filters != .null {
            guard let items = filters.arrayValue else { throw admission.fail("filters must be an array") }
            predicates.append(try Self.group(items, all: true, vocabulary, admission: admission))
        }
        if predicates.isEmpty {
            filter = nil
        } else {
            let all = predicates
            filter = { (r: StoredRecord) -> Bool in all.allSatisfy { $0(r) } }
        }
    }

    /// The `searchAfter` a served record carries: the sort values that follow it.
    func cursor(of record: StoredRecord) -> String {
        ",\"searchAfter\":[\(sortByUpdated ? record.updatedAtMs : record.createdAtMs),\"\(record.id)\"]"
    }

    func run(on dataset: Dataset, location: String) -> Page {
        let entity = vocabulary.entity
        if !sortByUpdated {
            var query = PageQuery(ascending: ascending, limit: limit, filter: filter)
            if let searchAfter { query.start = .after(searchAfter) } else { query.start = .offset(((page ?? 1) - 1) * limit) }
            return dataset.page(entity, location: location, query)!
        }
        // Sorting by update time has no standing index: sort the matches.
        var matches = dataset.allRecords(entity, location: location)!
        if let filter { matches = matches.filter(filter) }
        let key = { (r: StoredRecord) in RecordKey(ms: r.updatedAtMs, id: r.id) }
        matches.sort { ascending ? key($0) < key($1) : key($1) < key($0) }
        var start = ((page ?? 1) - 1) * limit
        if let searchAfter {
            start = matches.firstIndex { ascending ? searchAfter < key($0) : key($0) < searchAfter } ?? matches.count
        }
        let slice = Array(matches[min(start, matches.count)..<min(start + limit, matches.count)])
        return Page(records: slice, hasMore: start + limit < matches.count, total: matches.count)
    }

    private typealias Predicate = @Sendable (StoredRecord) -> Bool

    private static func group(_ items: [JSONValue], all: Bool, _ vocabulary: SearchVocabulary,
                              admission: Admission) throws(APIError) -> Predicate {
        var predicates: [Predicate] = []
        for item in items {
            if let groupName = item["group"]?.stringValue {
                guard let nested = item["filters"]?.arrayValue else { throw admission.fail("a filter group needs filters") }
                guard groupName == "AND" || groupName == "OR" else { throw admission.fail("group must be AND or OR") }
                predicates.append(try group(nested, all: groupName == "AND", vocabulary, admission: admission))
            } else {
                predicates.append(try condition(item, vocabulary, admission: admission))
            }
        }
        let list = predicates
        if all { return { r in list.allSatisfy { $0(r) } } }
        return { r in list.contains { $0(r) } }
    }

    private static func condition(_ item: JSONValue, _ vocabulary: SearchVocabulary, admission: Admission) throws(APIError) -> Predicate {
        guard let field = item["field"]?.stringValue, let op = item["operator"]?.stringValue else {
            throw admission.fail("each filter needs field and operator")
        }
        let value = item["value"]
        if field == vocabulary.dateAdded || field == vocabulary.dateUpdated {
            let byCreation = field == vocabulary.dateAdded
            switch op {
            case "exists": return { _ in true }
            case "not_exists": return { _ in false }
            case "range":
                let range = try Self.range(value, field: field, admission: admission)
                return { r in range(byCreation ? r.createdAtMs : r.updatedAtMs) }
            default: throw admission.fail("operator \(op) is not supported for \(field)")
            }
        }
        let fieldOf: @Sendable (StoredRecord) -> JSONValue?
        if vocabulary.entity == .contacts, field.hasPrefix("customFields.") {
            // A contact custom field by id: the `value` of its item in `customFields`.
            let id = String(field.dropFirst("customFields.".count))
            fieldOf = { r in
                r.parsed()["customFields"]?.arrayValue?.first { $0["id"]?.stringValue == id }?["value"].flatMap { $0 == .null ? nil : $0 }
            }
        } else {
            guard let key = vocabulary.fields.map({ $0[field] }) ?? field else {
                throw admission.fail("filter field \(field) is not supported; use one of: "
                    + ([vocabulary.dateAdded, vocabulary.dateUpdated] + (vocabulary.fields?.keys.sorted() ?? [])).joined(separator: ", "))
            }
            fieldOf = { r in r.parsed()[key].flatMap { $0 == .null ? nil : $0 } }
        }
        switch op {
        case "exists": return { r in fieldOf(r).map(Self.hasValue) ?? false }
        case "not_exists": return { r in !(fieldOf(r).map(Self.hasValue) ?? false) }
        case "eq", "not_eq", "contains", "not_contains":
            guard let value, value != .null else { throw admission.fail("\(field) \(op) needs a value") }
            let wanted = value.arrayValue ?? [value]
            let positive = op == "eq" || op == "contains"
            let substring = op.hasSuffix("contains")
            return { r in
                guard let actual = fieldOf(r) else { return !positive }
                if let elements = actual.arrayValue {
                    // An array field: eq/contains need every listed value, not_eq/not_contains none.
                    return positive ? wanted.allSatisfy { w in elements.contains { Self.equal($0, w) } }
                                    : !wanted.contains { w in elements.contains { Self.equal($0, w) } }
                }
                let matches = wanted.contains { substring ? Self.contains(actual, $0) : Self.equal(actual, $0) }
                return matches == positive
            }
        case "range":
            let range = try Self.range(value, field: field, admission: admission)
            return { r in
                guard let actual = fieldOf(r) else { return false }
                guard let number = actual.doubleValue.map({ Int64($0) }) ?? actual.stringValue.flatMap(SandboxTime.parse) else { return false }
                return range(number)
            }
        default: throw admission.fail("operator \(op) is not supported for \(field)")
        }
    }

    /// `{gt, gte, lt, lte}` bounds: numbers, or dates as ISO text or epoch ms.
    private static func range(_ value: JSONValue?, field: String, admission: Admission) throws(APIError) -> @Sendable (Int64) -> Bool {
        func bound(_ key: String) throws(APIError) -> Int64? {
            guard let v = value?[key], v != .null else { return nil }
            if let n = v.doubleValue { return Int64(n) }
            guard let ms = v.stringValue.flatMap(SandboxTime.parse) else { throw admission.fail("\(field) range \(key) must be a date or number") }
            return ms
        }
        let gt = try bound("gt"), gte = try bound("gte"), lt = try bound("lt"), lte = try bound("lte")
        guard gt != nil || gte != nil || lt != nil || lte != nil else {
            throw admission.fail("\(field) range needs gt, gte, lt or lte")
        }
        return { t in
            (gt.map { t > $0 } ?? true) && (gte.map { t >= $0 } ?? true) && (lt.map { t < $0 } ?? true) && (lte.map { t <= $0 } ?? true)
        }
    }

    private static func hasValue(_ value: JSONValue) -> Bool {
        if let array = value.arrayValue { return !array.isEmpty }
        if let text = value.stringValue { return !text.isEmpty }
        return true
    }

    private static func equal(_ actual: JSONValue, _ wanted: JSONValue) -> Bool {
        if let a = actual.stringValue, let w = wanted.stringValue { return a.lowercased() == w.lowercased() }
        return actual == wanted
    }

    private static func contains(_ actual: JSONValue, _ wanted: JSONValue) -> Bool {
        guard let a = actual.stringValue, let w = wanted.stringValue else { return equal(actual, wanted) }
        return a.lowercased().contains(w.lowercased())
    }
}
