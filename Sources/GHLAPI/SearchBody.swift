import Foundation
import GHLJSON

/// The JSON body of GHL's search endpoints, `POST /contacts/search` and
/// `POST /opportunities/search`.
///
/// Both take `locationId`, a page size, `filters` (`{field, operator, value}`),
/// `sort` (`[{field, direction}]`) and either `page` or the `searchAfter` of the
/// last record served. They name things differently: contacts say `pageLimit`
/// and camelCase fields (`dateUpdated`), opportunities `limit` and snake_case
/// fields (`date_updated`, `pipeline_id`, `status`); `Dialect` holds the names.
/// Callers add filters in the endpoint's own field names.
public struct SearchBody: Sendable, Hashable {
    /// The names an endpoint uses.
    public struct Dialect: Sendable, Hashable {
        public var limitKey: String
        public var dateAdded: String
        public var dateUpdated: String

        public static let contacts = Dialect(limitKey: "pageLimit", dateAdded: "dateAdded", dateUpdated: "dateUpdated")
        public static let opportunities = Dialect(limitKey: "limit", dateAdded: "date_added", dateUpdated: "date_updated")
    }

    /// One `{field, operator, value}` item.
    public struct Filter: Sendable, Hashable {
        public var field: String
        public var `operator`: String
        public var value: JSONValue?

        public init(field: String, operator: String, value: JSONValue? = nil) {
            self.field = field
            self.operator = `operator`
            self.value = value
        }

        /// `field` at or after `date` (inclusive, so a record updated in the
        /// same millisecond as the bound is fetched again rather than missed).
        public static func onOrAfter(_ field: String, _ date: Date) -> Filter {
            Filter(field: field, operator: "range", value: ["gte": .string(GHLClient.isoTimestamp(date))])
        }

        var json: JSONValue {
            var object: JSONObject = ["field": .string(field), "operator": .string(`operator`)]
            if let value { object["value"] = value }
            return .object(object)
        }
    }

    /// One `{field, direction}` item.
    public struct Sort: Sendable, Hashable {
        public var field: String
        public var ascending: Bool

        public init(field: String, ascending: Bool = true) {
            self.field = field
            self.ascending = ascending
        }
    }

    public var dialect: Dialect
    public var locationId: String
    public var limit: Int
    public var filters: [Filter] = []
    /// Filter items as GHL's JSON (e.g. `{"group": "OR", "filters": [...]}`), sent after `filters`.
    public var filterItems: [JSONValue] = []
    /// nil: the endpoint's default order (date added, ascending).
    public var sort: Sort?
    /// Where the page starts: nil for the first page.
    public var cursor: PageCheckpoint.Cursor?

    public init(_ dialect: Dialect, locationId: String, limit: Int) {
        self.dialect = dialect
        self.locationId = locationId
        self.limit = limit
    }

    /// The body of the page at `position` of a listing: sorted by creation time
    /// for a full listing, so records added while paging come at the end and
    /// updated ones keep their place; by update time when filtering on it (a
    /// record updated mid-run moves to the end: seen again, never missed).
    init(_ dialect: Dialect, locationId: String, position: PageCheckpoint) {
        self.init(dialect, locationId: locationId, limit: position.pageSize)
        if let since = position.updatedSince {
            filters.append(.onOrAfter(dialect.dateUpdated, since))
            sort = Sort(field: dialect.dateUpdated)
        } else {
            sort = Sort(field: dialect.dateAdded)
        }
        filterItems = position.filter?.searchFilters ?? []
        cursor = position.cursor
    }

    public var json: JSONValue {
        var body: JSONObject = ["locationId": .string(locationId), dialect.limitKey: .number(Double(limit))]
        if let sort {
            body["sort"] = [["field": .string(sort.field), "direction": .string(sort.ascending ? "asc" : "desc")]]
        }
        let items = filters.map(\.json) + filterItems
        if !items.isEmpty { body["filters"] = .array(items) }
        switch cursor {
        case .searchAfter(let values)?: body["searchAfter"] = .array(values)
        case .page(let page)?: body["page"] = .number(Double(page))
        default: body["page"] = 1
        }
        return .object(body)
    }
}
