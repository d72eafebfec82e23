import GHLJSON
/// Filters a listing asks GHL to apply server-side, so fewer records (and
/// pages) come back: query parameters for the GET endpoints
/// (`startAt`, `endDate`, `pipeline_id`...) and items of the `filters` array
/// of the search bodies (`{"field", "operator", "value"}` or groups).
///
/// The client sends them as given; which parameters an endpoint understands
/// is the caller's business (see GHL's OpenAPI files).
public struct GHLListFilter: Sendable, Codable, Hashable {
    public var query: [QueryItem]
    public var searchFilters: [JSONValue]

    public struct QueryItem: Sendable, Codable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(query: [QueryItem] = [], searchFilters: [JSONValue] = []) {
        self.query = query
        self.searchFilters = searchFilters
    }

    public var isEmpty: Bool { query.isEmpty && searchFilters.isEmpty }
}
