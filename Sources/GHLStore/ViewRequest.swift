import GRDB

/// A read of one reporting view in the PostgREST subset `/rest/v1/{view}` speaks:
/// `source_id=eq.X`, `order=col.desc,col2.asc.nullslast`, `limit=N`, `offset=M`.
///
/// Every identifier is checked against a known list (the view names, then the
/// view's own columns) and every value is bound, so nothing from the request
/// is ever spliced into SQL.
public struct ViewRequest: Sendable, Equatable {
    public var view: String
    /// Only rows of this source; one outside the reader's scope yields no rows.
    public var sourceId: String?
    public var order: [Ordering]
    public var limit: Int?
    public var offset: Int?

    public struct Ordering: Sendable, Equatable {
        public var column: String
        public var descending: Bool
        /// `nil` keeps SQLite's default (NULLs first ascending, last descending).
        public var nullsFirst: Bool?

        public init(column: String, descending: Bool = false, nullsFirst: Bool? = nil) {
            self.column = column
            self.descending = descending
            self.nullsFirst = nullsFirst
        }
    }

    public init(view: String, sourceId: String? = nil, order: [Ordering] = [], limit: Int? = nil, offset: Int? = nil) throws {
        guard ReportingViews.names.contains(view) else { throw StoreError.unknownView(view) }
        if let limit, limit < 0 { throw StoreError.invalidInput("limit must be 0 or more, got \(limit)") }
        if let offset, offset < 0 { throw StoreError.invalidInput("offset must be 0 or more, got \(offset)") }
        self.view = view
        self.sourceId = sourceId
        self.order = order
        self.limit = limit
        self.offset = offset
    }

    /// Parses PostgREST query parameters (already percent-decoded, in order).
    /// `select=*` is accepted; any other parameter is an error, not silently ignored.
    public init(view: String, parameters: [(name: String, value: String)]) throws {
        var sourceId: String?
        var order: [Ordering] = []
        var limit: Int?
        var offset: Int?
        for (name, value) in parameters {
            switch name {
            case "source_id":
                guard value.hasPrefix("eq.") else {
                    throw StoreError.invalidInput("source_id supports only eq., as in source_id=eq.<id>")
                }
                sourceId = String(value.dropFirst(3))
            case "order":
                order = try value.split(separator: ",", omittingEmptySubsequences: false).map(Self.ordering)
            case "limit":
                limit = try Self.count(value, name: name)
            case "offset":
                offset = try Self.count(value, name: name)
            case "select" where value == "*":
                continue
            default:
                throw StoreError.invalidInput("unsupported query parameter \(name); use source_id=eq.X, order, limit, offset")
            }
        }
        try self.init(view: view, sourceId: sourceId, order: order, limit: limit, offset: offset)
    }

    /// The statement and its arguments, given the view's columns.
    func sql(columns: [String]) throws -> (String, [DatabaseValue]) {
        var sql = "SELECT * FROM \(sqlIdentifier(view))"
        var arguments: [DatabaseValue] = []
        if let sourceId {
            sql += " WHERE source_id = ?"
            arguments.append(sourceId.databaseValue)
        }
        if !order.isEmpty {
            let terms = try order.map { term in
                guard columns.contains(term.column) else {
                    throw StoreError.invalidInput("\(view) has no column \(term.column); columns are: \(columns.joined(separator: ", "))")
                }
                let nulls = term.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? ""
                return sqlIdentifier(term.column) + (term.descending ? " DESC" : " ASC") + nulls
            }
            sql += " ORDER BY " + terms.joined(separator: ", ")
        }
        if limit != nil || offset != nil {
            sql += " LIMIT ? OFFSET ?"
            arguments += [(limit ?? -1).databaseValue, (offset ?? 0).databaseValue]
        }
        return (sql, arguments)
    }

    private static func ordering(_ term: Substring) throws -> Ordering {
        var parts = term.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let column = parts.first, !column.isEmpty else {
            throw StoreError.invalidInput("order needs a column, as in order=created_at.desc")
        }
        parts.removeFirst()
        var ordering = Ordering(column: column)
        for modifier in parts {
            switch modifier {
            case "asc": ordering.descending = false
            case "desc": ordering.descending = true
            case "nullsfirst": ordering.nullsFirst = true
            case "nullslast": ordering.nullsFirst = false
            default: throw StoreError.invalidInput("unknown order modifier \(modifier); use asc, desc, nullsfirst, nullslast")
            }
        }
        return ordering
    }

    private static func count(_ value: String, name: String) throws -> Int {
        guard let number = Int(value), number >= 0 else {
            throw StoreError.invalidInput("\(name) must be a whole number, 0 or more, got \(value)")
        }
        return number
    }
}
