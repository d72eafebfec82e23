import Hummingbird

/// `GET /contacts/` (deprecated, cursor `startAfter` + `startAfterId`) and `POST /contacts/search`
/// (page numbers up to 10,000 records deep, then the `searchAfter` cursor).
extension SandboxCore {
    func addContactRoutes(to router: Router<BasicRequestContext>) {
        router.get("/contacts") { request, _ in try await self.listContacts(request) }
        router.post("/contacts/search") { request, _ in try await self.searchContacts(request) }
    }

    private func listContacts(_ request: Request) async throws -> Response {
        let locationParam = request.uri.queryParameters["locationId"].map(String.init)
        let admission = try await admit(request, endpoint: "GET /contacts/", location: locationParam)
        let query = QueryReader(request: request, admission: admission)
        let limit = try query.int("limit", default: 20, in: 1...maxCursorPageSize)
        var filters = RecordFilters()
        filters.updatedSince(try query.updatedAfter())
        var pageQuery = PageQuery(limit: limit, filter: filters.combined)
        let startAfterID = query.string("startAfterId")
        if let text = query.string("startAfter") {
            guard let ms = Int64(text) ?? Double(text).map({ Int64($0) }) else { throw admission.fail("startAfter must be a number") }
            pageQuery.start = .after(RecordKey(ms: ms, id: startAfterID ?? "\u{10FFFF}"))
        } else if let startAfterID {
            guard let record = try? dataset.record(.contacts, location: admission.locationID, id: startAfterID) else {
                throw admission.fail("startAfterId \(startAfterID) is unknown; send startAfter with it")
            }
            pageQuery.start = .after(record.key)
        }
        let page = dataset.page(.contacts, location: admission.locationID, pageQuery)!
        var body = PageBody(records: page.records)
        body.write("{\"contacts\":[")
        body.writeRecords(page.records, corruptFirst: admission.corruptsRecord)
        body.write("],\"count\":\(page.total),")
        var meta = JSONWriter()
        meta.beginObject()
        meta.field("total", page.total)
        if page.hasMore, let last = page.records.last {
            var next = "\(request.baseURL)/contacts/?locationId=\(admission.locationID)&limit=\(limit)"
            next += "&startAfter=\(last.createdAtMs)&startAfterId=\(last.id)"
            if let since = query.string("updatedAfter") { next += "&updatedAfter=\(since)" }
            meta.field("nextPageUrl", next)
            meta.field("startAfterId", last.id)
            meta.field("startAfter", last.createdAtMs)
        }
        meta.endObject()
        body.write("\"meta\":")
        body.write(meta.bytes)
        body.write("}")
        return admission.respond(body.buffer)
    }

    private func searchContacts(_ request: Request) async throws -> Response {
        let raw = try await request.body.collect(upTo: 1 << 20)
        let parsed = try? JSONValue(parsing: raw.readableBytesView)
        let admission = try await admit(request, endpoint: "POST /contacts/search", location: parsed?["locationId"]?.stringValue)
        guard let parsed else { throw admission.fail("body must be a JSON object") }
        let search = try ContactSearch(parsed, admission: admission)
        let page = try search.run(on: dataset, location: admission.locationID, admission: admission)
        var body = PageBody(records: page.records)
        body.write("{\"contacts\":[")
        body.writeRecords(page.records, corruptFirst: admission.corruptsRecord) { record in
            let ms = search.sortByUpdated ? record.updatedAtMs : record.createdAtMs
            return ",\"searchAfter\":[\(ms),\"\(record.id)\"]"
        }
        body.write("],\"total\":\(page.total)}")
        return admission.respond(body.buffer)
    }
}

/// A parsed `POST /contacts/search` body: paging, `filters` and `sort`.
///
/// Filters: `{"field", "operator", "value"}` items and `{"group": "AND"|"OR", "filters": [...]}`
/// groups. Fields `dateAdded`/`dateUpdated` take `range` (value `{gt, gte, lt, lte}`: ISO
/// dates or epoch ms), `exists`, `not_exists`; `tags` takes `eq`/`contains` (has every listed
/// tag), `not_eq`/`not_contains` (has none); `customFields.{id}` takes `eq`, `not_eq`,
/// `contains`, `not_contains`, `exists`, `not_exists`; any other top-level string field takes `eq`,
/// `not_eq`, `exists`, `not_exists`. Sort: the first of `[{"field": "dateAdded"|"dateUpdated",
/// "direction": "asc"|"desc"}]`; default `dateAdded` ascending, ties broken by id.
struct ContactSearch {
    let pageLimit: Int
    let page: Int?
    let searchAfter: RecordKey?
    let filter: (@Sendable (StoredRecord) -> Bool)?
    let sortByUpdated: Bool
    let ascending: Bool

    init(_ body: JSONValue, admission: Admission) throws(APIError) {
        func integer(_ key: String) throws(APIError) -> Int? {
            guard let value = body[key], value != .null else { return nil }
            guard let number = value.numberValue, number == number.rounded(), let int = Int(exactly: number) else {
                throw admission.fail("\(key) must be an integer")
            }
            return int
        }
        pageLimit = try integer("pageLimit") ?? 20
        guard (1...maxContactSearchPageSize).contains(pageLimit) else {
            throw admission.fail("pageLimit must be from 1 to \(maxContactSearchPageSize)")
        }
        page = try integer("page")
        if let cursor = body["searchAfter"], cursor != .null {
            guard page == nil else { throw admission.fail("send either page or searchAfter, not both") }
            guard let values = cursor.arrayValue, values.count == 2,
                let ms = values[0].numberValue ?? values[0].stringValue.flatMap({ Double($0) }),
                let id = values[1].stringValue
            else { throw admission.fail("searchAfter must be [timestamp, id] as returned in a contact's searchAfter") }
            searchAfter = RecordKey(ms: Int64(ms), id: id)
        } else {
            searchAfter = nil
        }
        if let page {
            guard page >= 1 else { throw admission.fail("page must be 1 or more") }
            guard page * pageLimit <= maxContactSearchPageDepth else {
                throw admission.fail("page * pageLimit must not exceed \(maxContactSearchPageDepth); use searchAfter to go deeper")
            }
        }
        var sortByUpdated = false
        var ascending = true
        if let sort = body["sort"], sort != .null {
            let fallback: JSONValue? = sort.objectFields != nil ? sort : nil
            guard let first = sort.arrayValue?.first ?? fallback else {
                throw admission.fail("sort must be an array of {field, direction}")
            }
            switch first["field"]?.stringValue {
            case "dateAdded"?: break
            case "dateUpdated"?: sortByUpdated = true
            default: throw admission.fail("sort field must be dateAdded or dateUpdated")
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
            filter = try Self.group(items, all: true, admission: admission)
        } else {
            filter = nil
        }
    }

    func run(on dataset: Dataset, location: String, admission: Admission) throws(APIError) -> Page {
        if !sortByUpdated {
            var query = PageQuery(ascending: ascending, limit: pageLimit, filter: filter)
            if let searchAfter { query.start = .after(searchAfter) } else { query.start = .offset(((page ?? 1) - 1) * pageLimit) }
            return dataset.page(.contacts, location: location, query)!
        }
        // Sorting by update time has no standing index: sort the matches.
        var matches = dataset.allRecords(.contacts, location: location)!
        if let filter { matches = matches.filter(filter) }
        let key = { (r: StoredRecord) in RecordKey(ms: r.updatedAtMs, id: r.id) }
        matches.sort { ascending ? key($0) < key($1) : key($1) < key($0) }
        var start = ((page ?? 1) - 1) * pageLimit
        if let searchAfter {
            start = matches.firstIndex { ascending ? searchAfter < key($0) : key($0) < searchAfter } ?? matches.count
        }
        let slice = Array(matches[min(start, matches.count)..<min(start + pageLimit, matches.count)])
        return Page(records: slice, hasMore: start + pageLimit < matches.count, total: matches.count)
    }

    private static func group(_ items: [JSONValue], all: Bool, admission: Admission) throws(APIError) -> @Sendable (StoredRecord) -> Bool {
        var predicates: [@Sendable (StoredRecord) -> Bool] = []
        for item in items {
            if let groupName = item["group"]?.stringValue {
                guard let nested = item["filters"]?.arrayValue else { throw admission.fail("a filter group needs filters") }
                guard groupName == "AND" || groupName == "OR" else { throw admission.fail("group must be AND or OR") }
                predicates.append(try group(nested, all: groupName == "AND", admission: admission))
            } else {
                predicates.append(try condition(item, admission: admission))
            }
        }
        let list = predicates
        if all { return { r in list.allSatisfy { $0(r) } } }
        return { r in list.contains { $0(r) } }
    }

    /// `customFields.{id}`: `eq`/`not_eq` (any value equal, case-insensitive), `contains`/
    /// `not_contains` (any value containing the text, case-insensitive), `exists`/`not_exists`
    /// (a non-empty value). A multi-value field is tested value by value.
    private static func customField(_ id: String, _ op: String, _ value: JSONValue?,
                                    admission: Admission) throws(APIError) -> @Sendable (StoredRecord) -> Bool {
        let valuesOf: @Sendable (StoredRecord) -> [String] = { r in
            let item = r.parsed()["customFields"]?.arrayValue?.first { $0["id"]?.stringValue == id }
            let values = item?["value"]?.arrayValue ?? item?["value"].map { [$0] } ?? []
            return values.compactMap { v in
                v.stringValue ?? v.numberValue.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0) }
            }.filter { !$0.isEmpty }
        }
        switch op {
        case "exists": return { r in !valuesOf(r).isEmpty }
        case "not_exists": return { r in valuesOf(r).isEmpty }
        case "eq", "not_eq", "contains", "not_contains":
            guard let wanted = value?.stringValue?.lowercased() else {
                throw admission.fail("customFields.\(id) \(op) needs a string value")
            }
            let positive = !op.hasPrefix("not_")
            let exact = op.hasSuffix("eq")
            return { r in
                valuesOf(r).contains { text in exact ? text.lowercased() == wanted : text.lowercased().contains(wanted) } == positive
            }
        default: throw admission.fail("operator \(op) is not supported for custom fields")
        }
    }

    private static func condition(_ item: JSONValue, admission: Admission) throws(APIError) -> @Sendable (StoredRecord) -> Bool {
        guard let field = item["field"]?.stringValue, let op = item["operator"]?.stringValue else {
            throw admission.fail("each filter needs field and operator")
        }
        let value = item["value"]
        switch (field, op) {
        case ("dateAdded", _), ("dateUpdated", _):
            let byCreation = field == "dateAdded"
            let pick: @Sendable (StoredRecord) -> Int64 = { byCreation ? $0.createdAtMs : $0.updatedAtMs }
            switch op {
            case "exists": return { _ in true }
            case "not_exists": return { _ in false }
            case "range":
                func bound(_ key: String) throws(APIError) -> Int64? {
                    guard let v = value?[key], v != .null else { return nil }
                    if let n = v.numberValue { return Int64(n) }
                    guard let ms = v.stringValue.flatMap(SandboxTime.parse) else { throw admission.fail("\(field) range \(key) must be a date") }
                    return ms
                }
                let gt = try bound("gt"), gte = try bound("gte"), lt = try bound("lt"), lte = try bound("lte")
                guard gt != nil || gte != nil || lt != nil || lte != nil else {
                    throw admission.fail("\(field) range needs gt, gte, lt or lte")
                }
                return { r in
                    let t = pick(r)
                    return (gt.map { t > $0 } ?? true) && (gte.map { t >= $0 } ?? true) && (lt.map { t < $0 } ?? true)
                        && (lte.map { t <= $0 } ?? true)
                }
            default: throw admission.fail("operator \(op) is not supported for \(field)")
            }
        case ("tags", _):
            let wanted = value?.arrayValue?.compactMap(\.stringValue) ?? value?.stringValue.map { [$0] }
            let tagsOf: @Sendable (StoredRecord) -> [String] = { r in r.parsed()["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            switch op {
            case "eq", "contains":
                guard let wanted else { throw admission.fail("tags filter needs a value") }
                return { r in let tags = tagsOf(r); return wanted.allSatisfy { tags.contains($0) } }
            case "not_eq", "not_contains":
                guard let wanted else { throw admission.fail("tags filter needs a value") }
                return { r in let tags = tagsOf(r); return !wanted.contains { tags.contains($0) } }
            case "exists": return { r in !tagsOf(r).isEmpty }
            case "not_exists": return { r in tagsOf(r).isEmpty }
            default: throw admission.fail("operator \(op) is not supported for tags")
            }
        case _ where field.hasPrefix("customFields."):
            return try customField(String(field.dropFirst("customFields.".count)), op, value, admission: admission)
        default:
            switch op {
            case "eq", "not_eq":
                guard let text = value?.stringValue else { throw admission.fail("\(field) \(op) needs a string value") }
                let equal = op == "eq"
                return { r in (r.parsed()[field]?.stringValue?.lowercased() == text.lowercased()) == equal }
            case "exists": return { r in r.parsed()[field].map { $0 != .null } ?? false }
            case "not_exists": return { r in r.parsed()[field].map { $0 == .null } ?? true }
            default: throw admission.fail("operator \(op) is not supported for \(field)")
            }
        }
    }
}
