import GHLAPI
import GHLStore
import GRDB

/// A source's filter as the sync applies it: the part GHL can filter is
/// pushed to the API (fewer records, fewer pages), and the whole filter is
/// applied again to every record before writing.
///
/// What each endpoint takes (GHL's OpenAPI files and public docs):
/// - contacts (`POST /contacts/search` `filters`): tags, custom fields
///   (`customFields.{id}` with `eq`, `contains`, `exists`) and the date range,
///   as `dateAdded` OR `dateUpdated` within it: everything.
/// - opportunities (`GET /opportunities/search`): one pipeline (`pipeline_id`),
///   one status, and the range's end as a creation bound (`endDate`); more
///   than one pipeline or status is applied locally.
/// - orders and transactions (`endAt`), reviews (`endDate`): the range's end.
///
/// The range's start cannot go to the endpoints that filter only on creation
/// time: a record created before it but updated within it is in scope. Its
/// end can: a record created after the end was neither created nor updated
/// within the range (GHL's update time is never before its creation time).
extension SyncFilter {
    struct Pushdown: Sendable {
        var filter: GHLListFilter?
        /// GHL applies the whole filter: its totals count exactly the in-scope records.
        var isComplete: Bool
    }

    func pushdown(for resource: GHLResource) -> Pushdown {
        var query: [GHLListFilter.QueryItem] = []
        var search: [JSONValue] = []
        var complete = true
        let ranged = from != nil || to != nil
        switch resource {
        case .contacts:
            let tags = contactRules.filter { $0.kind == .tag }.compactMap(\.value)
            if !tags.isEmpty { search.append(["field": "tags", "operator": "contains", "value": .array(tags.map(JSONValue.string))]) }
            for rule in contactRules {
                guard let field = rule.field else { continue }
                var item: [String: JSONValue] = ["field": .string("customFields.\(field.id)")]
                switch rule.kind {
                case .equals: item["operator"] = "eq"
                case .contains: item["operator"] = "contains"
                case .exists, .tag: item["operator"] = "exists"
                }
                if let value = rule.value, rule.kind != .exists { item["value"] = .string(value) }
                search.append(.object(item))
            }
            if ranged {
                var bounds: [String: JSONValue] = [:]
                if let from { bounds["gte"] = .string("\(from)T00:00:00.000Z") }
                if let to { bounds["lte"] = .string("\(to)T23:59:59.999Z") }
                search.append(["group": "OR", "filters": [
                    ["field": "dateAdded", "operator": "range", "value": .object(bounds)],
                    ["field": "dateUpdated", "operator": "range", "value": .object(bounds)],
                ]])
            }
        case .opportunities:
            if pipelines.count == 1 { query.append(.init("pipeline_id", pipelines[0].id)) }
            if statuses.count == 1 { query.append(.init("status", statuses[0])) }
            if let to { query.append(.init("endDate", Self.monthDayYear(to))) }
            complete = pipelines.count <= 1 && statuses.count <= 1 && from == nil
        case .orders, .transactions:
            if let to { query.append(.init("endAt", to)) }
            complete = from == nil
        case .reviews:
            if let to { query.append(.init("endDate", "\(to)T23:59:59.999Z")) }
            complete = from == nil
        case .pipelines, .legacyContacts:
            complete = keepsAll(Entity(rawValue: resource.entityName)!)
        }
        let filter = GHLListFilter(query: query, searchFilters: search)
        return Pushdown(filter: filter.isEmpty ? nil : filter, isComplete: complete)
    }

    /// `2024-01-31` -> `01-31-2024`, the date format of `GET /opportunities/search`.
    private static func monthDayYear(_ day: String) -> String {
        let parts = day.split(separator: "-")
        return "\(parts[1])-\(parts[2])-\(parts[0])"
    }

    /// Whether a record GHL sent (already mapped to its row) is in scope.
    func keeps(_ entity: Entity, _ object: [String: JSONValue], mapped row: EntityRecord) -> Bool {
        func text(_ column: String) -> String? { row.values[column].flatMap { String.fromDatabaseValue($0) } }
        var subject = FilterSubject(createdAt: row.ghlCreatedAt, updatedAt: row.ghlUpdatedAt)
        switch entity {
        case .opportunities:
            subject.pipelineId = text("pipeline_id")
            subject.status = text("status")
        case .pipelines:
            subject.pipelineId = row.ghlId
        case .contacts:
            subject.tags = object["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if testsCustomFields { subject.customFields = FilterSubject.customFields(json: object["customFields"]?.canonicalJSON) }
        case .orders, .payments, .reviews:
            break
        }
        return keeps(entity, subject)
    }
}
