/// A read of one reporting view in PostgREST's URL grammar, parsed and checked
/// against the view's columns before any SQL exists. It is the one query
/// grammar of ghlsync: `/rest/v1/{view}` parses into it and `ScopedReader`
/// runs it (see `ViewQuery+SQL`).
///
///     select=*  select=a,alias:b
///     col=[not.]op.value   op: eq neq gt gte lt lte like ilike in is isdistinct
///     or=(a.eq.1,and(b.gt.2,c.not.is.null))   and=(...)   not.or=(...)
///     order=a.desc.nullslast,b   limit=N   offset=M   (or the Range header)
///
/// Values are always bound as arguments; identifiers only ever come from the
/// view's own column list.
public struct ViewQuery: Sendable, Equatable {
    /// PostgREST's filter operators that the views can answer.
    public enum Operator: String, Sendable, CaseIterable {
        case eq, neq, gt, gte, lt, lte, like, ilike, `in`, `is`, isdistinct
    }

    /// One condition of the WHERE clause: a filter or a group of them.
    public indirect enum Condition: Sendable, Equatable {
        case filter(column: String, op: Operator, values: [String], negated: Bool)
        /// `or(...)` (`any: true`) or `and(...)` of its conditions.
        case group(any: Bool, [Condition], negated: Bool)
    }

    /// One selected column, under the name the client asked for.
    public struct Field: Sendable, Equatable {
        public var column: String
        public var alias: String
    }

    public struct Ordering: Sendable, Equatable {
        public var column: String
        public var descending: Bool
        /// `nil` keeps SQLite's order (NULLs first ascending, last descending).
        public var nullsFirst: Bool?
    }

    /// The rows a read answers with when it names no limit (Supabase's default `max-rows`).
    public static let defaultLimit = 1000
    /// The most rows one read answers with; a larger limit is cut to it, as `max-rows` does.
    public static let maxLimit = 10_000

    public var view: String
    /// The view's columns, in order.
    public var columns: [String]
    /// The selected columns, in order; `nil` for `select=*`.
    public var fields: [Field]?
    /// Conditions that must all hold.
    public var conditions: [Condition] = []
    public var order: [Ordering] = []
    public var limit: Int?
    public var offset = 0

    /// Parses the (percent-decoded) query parameters of a read of `view`,
    /// whose columns are `columns`.
    public init(view: String, columns: [String], parameters: [(String, String)]) throws(ViewQueryError) {
        self.view = view
        self.columns = columns
        let parser = Parser(view: view, columns: columns)
        for (key, value) in parameters {
            switch key {
            case "select":
                fields = try parser.fields(value)
            case "order":
                order = try value.split(separator: ",").map { term throws(ViewQueryError) in try parser.ordering(String(term)) }
            case "limit":
                limit = try Parser.count(key, value)
            case "offset":
                offset = try Parser.count(key, value)
            case "or", "and", "not.or", "not.and":
                conditions.append(try parser.group(key, value))
            default:
                conditions.append(try parser.filter(column: key, expression: value))
            }
        }
    }

    /// Applies a `Range: first-last` request header (PostgREST's other way to
    /// page); `limit` and `offset` parameters, when present, win.
    public mutating func applyRange(_ header: String, limitGiven: Bool, offsetGiven: Bool) throws(ViewQueryError) {
        let bounds = header.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int(bounds[0]), first >= 0 else {
            throw ViewQueryError.syntax("range", "Range must be first-last, e.g. 0-24, got \(header)")
        }
        let last = bounds[1].isEmpty ? nil : Int(bounds[1])
        guard bounds[1].isEmpty || (last ?? -1) >= first else {
            throw ViewQueryError(.range, "Requested range not satisfiable", details: "Range \(header) ends before it starts")
        }
        if !offsetGiven { offset = first }
        if !limitGiven, let last { limit = last - first + 1 }
    }

    /// The names of the answer's columns.
    public var resultColumns: [String] { fields?.map(\.alias) ?? columns }

    /// The rows one read answers with at most.
    public var pageSize: Int { min(limit ?? Self.defaultLimit, Self.maxLimit) }

    /// The sources among `sourceIds` that the query's top-level `source_id`
    /// filters (`eq`, `in`, not negated) leave, in their order.
    public func sourceIds(within sourceIds: [String]) -> [String] {
        conditions.reduce(sourceIds) { kept, condition in
            guard case .filter("source_id", let op, let values, false) = condition, op == .eq || op == .in else { return kept }
            return kept.filter(values.contains)
        }
    }
}
