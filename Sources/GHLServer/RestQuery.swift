import GRDB

/// The PostgREST subset `/rest/v1/{view}` understands, parsed and checked
/// against the view's columns before any SQL exists:
///
///     select=a,b  col=eq.v  (neq gt gte lt lte like ilike in.(a,b) is.null)
///     or=(col.ilike.*x*,col2.eq.y)  order=col.desc.nullslast,col2  limit=N  offset=M
///
/// Values are always bound as arguments; column names only ever come from the
/// view's own column list.
public struct RestQuery: Sendable, Equatable {
    public struct Filter: Sendable, Equatable {
        public enum Operator: String, Sendable, CaseIterable { case eq, neq, gt, gte, lt, lte, like, ilike, `in`, `is` }
        public var column: String
        public var op: Operator
        public var values: [String]
    }

    public struct Ordering: Sendable, Equatable {
        public var column: String
        public var descending: Bool
        public var nullsFirst: Bool?
    }

    public static let defaultLimit = 1000
    public static let maxLimit = 10_000

    public var view: String
    public var columns: [String]
    public var select: [String]?
    public var filters: [Filter] = []
    /// Each `or=` group: at least one of its filters holds.
    public var alternatives: [[Filter]] = []
    public var order: [Ordering] = []
    public var limit = RestQuery.defaultLimit
    public var offset = 0

    /// Parses the query parameters of a request for `view`, whose columns are `columns`.
    public init(view: String, columns: [String], parameters: [(String, String)]) throws {
        self.view = view
        self.columns = columns
        for (key, value) in parameters {
            switch key {
            case "select":
                select = try value.split(separator: ",").map { try checked(String($0).trimmingCharacters(in: .whitespaces)) }
            case "order":
                order = try value.split(separator: ",").map { try parseOrdering(String($0)) }
            case "limit":
                limit = try count(key, value, max: Self.maxLimit)
            case "offset":
                offset = try count(key, value, max: Int.max)
            case "or":
                guard value.hasPrefix("("), value.hasSuffix(")") else {
                    throw APIError.badRequest("or= takes a parenthesised list, e.g. or=(name.ilike.*ann*,email.ilike.*ann*)")
                }
                let items = Self.splitTopLevel(String(value.dropFirst().dropLast()))
                alternatives.append(try items.map { item in
                    let parts = item.split(separator: ".", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw APIError.badRequest("bad or= item \(item): expected column.operator.value") }
                    return try parseFilter(column: parts[0], expression: parts[1])
                })
            default:
                filters.append(try parseFilter(column: key, expression: value))
            }
        }
    }

    /// The page's SQL over `relation`, restricted to `sourceIds` whatever the filters say.
    public func selectSQL(from relation: String, sourceIds: [String]) -> (sql: String, arguments: [DatabaseValue]) {
        let (whereSQL, arguments) = whereClause(sourceIds: sourceIds)
        let selected = (select ?? []).isEmpty ? "*" : select!.map(quoted).joined(separator: ", ")
        var sql = "SELECT \(selected) FROM \(relation) WHERE \(whereSQL)"
        if !order.isEmpty {
            sql += " ORDER BY " + order.map { o in
                var term = quoted(o.column) + (o.descending ? " DESC" : " ASC")
                if let nullsFirst = o.nullsFirst { term += nullsFirst ? " NULLS FIRST" : " NULLS LAST" }
                return term
            }.joined(separator: ", ")
        }
        sql += " LIMIT \(limit) OFFSET \(offset)"
        return (sql, arguments)
    }

    /// The sources among `sourceIds` that the query's `source_id` filters
    /// (`eq`, `in`) leave, in their order.
    public func sourceIds(within sourceIds: [String]) -> [String] {
        filters.filter { $0.column == "source_id" && ($0.op == .eq || $0.op == .in) }
            .reduce(sourceIds) { kept, filter in kept.filter(filter.values.contains) }
    }

    /// How many rows match, ignoring limit and offset (`Prefer: count=exact`).
    public func countSQL(from relation: String, sourceIds: [String]) -> (sql: String, arguments: [DatabaseValue]) {
        let (whereSQL, arguments) = whereClause(sourceIds: sourceIds)
        return ("SELECT COUNT(*) FROM \(relation) WHERE \(whereSQL)", arguments)
    }

    private func whereClause(sourceIds: [String]) -> (String, [DatabaseValue]) {
        var clauses = ["source_id IN (\(Array(repeating: "?", count: sourceIds.count).joined(separator: ", ")))"]
        var values: [DatabaseValue] = sourceIds.map(\.databaseValue)
        for filter in filters {
            clauses.append(condition(filter, &values))
        }
        for group in alternatives {
            clauses.append("(" + group.map { condition($0, &values) }.joined(separator: " OR ") + ")")
        }
        return (clauses.joined(separator: " AND "), values)
    }

    private func condition(_ filter: Filter, _ values: inout [DatabaseValue]) -> String {
        let column = quoted(filter.column)
        switch filter.op {
        case .is:
            switch filter.values[0] {
            case "null": return "\(column) IS NULL"
            case "true": return "\(column) = 1"
            default: return "\(column) = 0"
            }
        case .in:
            values += filter.values.map(Self.bound)
            return "\(column) IN (\(Array(repeating: "?", count: filter.values.count).joined(separator: ", ")))"
        case .like:
            values.append(filter.values[0].databaseValue)
            return "\(column) GLOB ?"
        case .ilike:
            // PostgREST's `*` wildcard; SQLite's LIKE is case-insensitive for ASCII.
            let pattern = filter.values[0].replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                .replacingOccurrences(of: "*", with: "%")
            values.append(pattern.databaseValue)
            return "\(column) LIKE ? ESCAPE '\\'"
        default:
            values.append(Self.bound(filter.values[0]))
            let sqlOperator = ["eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="][filter.op.rawValue]!
            return "\(column) \(sqlOperator) ?"
        }
    }

    /// Numbers compare as numbers (view columns computed by expressions have no affinity).
    private static func bound(_ value: String) -> DatabaseValue {
        if let int = Int64(value) { return int.databaseValue }
        if let double = Double(value), double.isFinite, value.contains(".") { return double.databaseValue }
        return value.databaseValue
    }

    private func quoted(_ column: String) -> String { "\"\(column)\"" }

    private func checked(_ column: String) throws -> String {
        guard columns.contains(column) else {
            throw APIError.badRequest("unknown column \(column) in \(view); its columns are: \(columns.joined(separator: ", "))")
        }
        return column
    }

    private func count(_ key: String, _ value: String, max: Int) throws -> Int {
        guard let n = Int(value), n >= 0, n <= max else {
            throw APIError.badRequest("\(key) must be a whole number from 0 to \(max), got \(value)")
        }
        return n
    }

    private func parseOrdering(_ term: String) throws -> Ordering {
        let parts = term.split(separator: ".").map(String.init)
        guard let first = parts.first else { throw APIError.badRequest("empty order term") }
        var ordering = Ordering(column: try checked(first), descending: false, nullsFirst: nil)
        for modifier in parts.dropFirst() {
            switch modifier {
            case "asc": ordering.descending = false
            case "desc": ordering.descending = true
            case "nullsfirst": ordering.nullsFirst = true
            case "nullslast": ordering.nullsFirst = false
            default: throw APIError.badRequest("bad order modifier \(modifier) in \(term): use asc, desc, nullsfirst, nullslast")
            }
        }
        return ordering
    }

    private func parseFilter(column: String, expression: String) throws -> Filter {
        let column = try checked(column)
        let parts = expression.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let op = Filter.Operator(rawValue: parts[0]) else {
            throw APIError.badRequest("bad filter \(column)=\(expression): expected operator.value with operator one of \(Filter.Operator.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let value = parts[1]
        switch op {
        case .in:
            guard value.hasPrefix("("), value.hasSuffix(")") else { throw APIError.badRequest("in. takes a list, e.g. \(column)=in.(a,b)") }
            return Filter(column: column, op: op, values: Self.splitTopLevel(String(value.dropFirst().dropLast())).map(Self.unquoted))
        case .is:
            guard ["null", "true", "false"].contains(value) else { throw APIError.badRequest("is. takes null, true or false, got \(value)") }
            return Filter(column: column, op: op, values: [value])
        default:
            return Filter(column: column, op: op, values: [Self.unquoted(value)])
        }
    }

    private static func unquoted(_ value: String) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
    }

    /// Splits at commas that are outside double quotes and parentheses.
    static func splitTopLevel(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        for character in text {
            switch character {
            case "\"": quoted.toggle()
            case "(" where !quoted: depth += 1
            case ")" where !quoted: depth -= 1
            case "," where !quoted && depth == 0:
                items.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        if !current.isEmpty || !items.isEmpty { items.append(current) }
        return items
    }
}
