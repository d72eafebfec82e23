import GHLAPI
import GHLStore
import GHLJSON

/// A source's filter as the sync applies it: the part GHL can filter is
/// pushed to the API (fewer records, fewer pages), and the whole filter is
/// applied again to every record before writing.
///
/// What each endpoint takes (GHL's OpenAPI files and public docs):
/// - contacts (`POST /contacts/search` `filters`): tags, custom fields
///   (`customFields.{id}` with `eq`, `contains`, `exists`) and the date range,
///   as `dateAdded` OR `dateUpdated` within it: everything.
/// - opportunities (`POST /opportunities/search` `filters`): pipelines
///   (`pipeline_id`), statuses and the date range (`date_added` OR
///   `date_updated`): everything.
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
        switch resource {
        case .contacts:
            let tags = contactRules.filter { $0.kind == .tag }.compactMap(\.value)
            if !tags.isEmpty { search.append(["field": "tags", "operator": "contains", "value": .array(tags.map(JSONValue.string))]) }
            for rule in contactRules {
                guard let field = rule.field else { continue }
                var item: JSONObject = ["field": .string("customFields.\(field.id)")]
                switch rule.kind {
                case .equals: item["operator"] = "eq"
                case .contains: item["operator"] = "contains"
                case .exists, .tag: item["operator"] = "exists"
                }
                if let value = rule.value, rule.kind != .exists { item["value"] = .string(value) }
                search.append(.object(item))
            }
            search += dateItems(.contacts)
        case .opportunities:
            search += anyOf("pipeline_id", pipelines.map(\.id)) + anyOf("status", statuses) + dateItems(.opportunities)
        case .orders, .transactions:
            if let to { query.append(.init("endAt", to)) }
            complete = from == nil
        case .reviews:
            if let to { query.append(.init("endDate", "\(to)T23:59:59.999Z")) }
            complete = from == nil
        case .pipelines, .legacyContacts:
            complete = keepsAll(resource.entity)
        }
        let filter = GHLListFilter(query: query, searchFilters: search)
        return Pushdown(filter: filter.isEmpty ? nil : filter, isComplete: complete)
    }

    /// The date range as a search filter: created OR updated within it.
    private func dateItems(_ dialect: SearchBody.Dialect) -> [JSONValue] {
        guard from != nil || to != nil else { return [] }
        var bounds: JSONObject = [:]
        if let from { bounds["gte"] = .string("\(from)T00:00:00.000Z") }
        if let to { bounds["lte"] = .string("\(to)T23:59:59.999Z") }
        return [["group": "OR", "filters": .array([dialect.dateAdded, dialect.dateUpdated].map { field in
            ["field": .string(field), "operator": "range", "value": .object(bounds)]
        })]]
    }

    /// `field` equal to one of `values`: one item, or an OR group of them.
    private func anyOf(_ field: String, _ values: [String]) -> [JSONValue] {
        let items: [JSONValue] = values.map { ["field": .string(field), "operator": "eq", "value": .string($0)] }
        return items.count > 1 ? [["group": "OR", "filters": .array(items)]] : items
    }

    /// Whether a record GHL sent (already mapped to its row) is in scope.
    func keeps(_ entity: Entity, _ object: JSONObject, mapped row: EntityRecord) -> Bool {
        func text(_ column: String) -> String? { row.value(column)?.textValue }
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
