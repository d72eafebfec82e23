import GRDB

/// The SQL of a `ViewQuery`, over the view of the same name: one grammar,
/// rendered for SQLite (the scoped connection's views) or for PostgreSQL (the
/// database's own views under RLS). Values are always bound, never spliced.
extension ViewQuery {
    /// The SQL engine a query is rendered for.
    enum Dialect { case sqlite, postgres }

    /// The page's statement, restricted to `sourceIds` whatever the filters say
    /// (the scope restricts it anyway; naming the sources lets SQLite use the
    /// `source_id` indexes).
    func selectSQL(sourceIds: [String]) -> (sql: String, arguments: [DatabaseValue]) {
        var rendering = Rendering(dialect: .sqlite)
        let sql = selectSQL(sourceIds: sourceIds, &rendering)
        return (sql, rendering.arguments.map(\.databaseValue))
    }

    /// How many rows match, ignoring limit and offset (`Prefer: count=exact`).
    func countSQL(sourceIds: [String]) -> (sql: String, arguments: [DatabaseValue]) {
        var rendering = Rendering(dialect: .sqlite)
        let sql = countSQL(sourceIds: sourceIds, &rendering)
        return (sql, rendering.arguments.map(\.databaseValue))
    }

    /// The page's statement and its count for PostgreSQL, sharing `$1`...
    /// `arguments`, each bound as text of unknown type, so the database types
    /// it from the column it meets (as PostgREST binds).
    public func postgresSQL(sourceIds: [String]) -> (select: String, count: String, arguments: [String]) {
        var rendering = Rendering(dialect: .postgres)
        let select = selectSQL(sourceIds: sourceIds, &rendering)
        var counting = Rendering(dialect: .postgres)
        let count = countSQL(sourceIds: sourceIds, &counting)
        return (select, count, rendering.arguments.map { $0.textValue ?? "" })
    }

    /// The arguments bound so far, and how placeholders and operators are spelled.
    private struct Rendering {
        let dialect: Dialect
        var arguments: [StoreValue] = []

        /// Binds a filter's value: SQLite compares numbers as numbers (view
        /// columns computed by expressions have no affinity); PostgreSQL types
        /// the text from its column.
        mutating func bind(_ value: String) -> String {
            switch dialect {
            case .sqlite:
                if let int = Int64(value) { return bind(.integer(int)) }
                if let double = Double(value), double.isFinite, value.contains(".") { return bind(.real(double)) }
                return bind(.text(value))
            case .postgres:
                return bind(.text(value))
            }
        }

        mutating func bind(_ value: StoreValue) -> String {
            arguments.append(value)
            return dialect == .sqlite ? "?" : "$\(arguments.count)"
        }
    }

    private func selectSQL(sourceIds: [String], _ rendering: inout Rendering) -> String {
        let whereSQL = whereClause(sourceIds: sourceIds, &rendering)
        let selected = fields.map { $0.map(Self.selected).joined(separator: ", ") } ?? "*"
        var sql = "SELECT \(selected) FROM \(sqlIdentifier(view)) WHERE \(whereSQL)"
        if !order.isEmpty {
            sql += " ORDER BY " + order.map { term in
                sqlIdentifier(term.column) + (term.descending ? " DESC" : " ASC")
                    + (term.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
            }.joined(separator: ", ")
        }
        return sql + " LIMIT \(pageSize) OFFSET \(offset)"
    }

    private func countSQL(sourceIds: [String], _ rendering: inout Rendering) -> String {
        "SELECT COUNT(*) FROM \(sqlIdentifier(view)) WHERE \(whereClause(sourceIds: sourceIds, &rendering))"
    }

    private static func selected(_ field: Field) -> String {
        field.alias == field.column ? sqlIdentifier(field.column) : "\(sqlIdentifier(field.column)) AS \(sqlIdentifier(field.alias))"
    }

    private func whereClause(sourceIds: [String], _ rendering: inout Rendering) -> String {
        var clauses = ["source_id IN (\(sourceIds.map { rendering.bind(.text($0)) }.joined(separator: ", ")))"]
        for condition in conditions {
            clauses.append(Self.sql(condition, &rendering))
        }
        return clauses.joined(separator: " AND ")
    }

    private static func sql(_ condition: Condition, _ rendering: inout Rendering) -> String {
        switch condition {
        case .group(let any, let members, let negated):
            let joined = "(" + members.map { sql($0, &rendering) }.joined(separator: any ? " OR " : " AND ") + ")"
            return negated ? "NOT \(joined)" : joined
        case .filter(let column, let op, let values, let negated):
            let test = filterSQL(sqlIdentifier(column), op, values, &rendering)
            return negated ? "NOT (\(test))" : "(\(test))"
        }
    }

    private static func filterSQL(_ column: String, _ op: Operator, _ values: [String], _ rendering: inout Rendering) -> String {
        let postgres = rendering.dialect == .postgres
        switch op {
        case .is:
            // Postgres' IS TRUE / IS FALSE / IS UNKNOWN: never NULL themselves.
            switch values[0] {
            case "null", "unknown": return "\(column) IS NULL"
            case "not_null": return "\(column) IS NOT NULL"
            case "true": return postgres ? "\(column) IS TRUE" : "\(column) IS 1"
            default: return postgres ? "\(column) IS FALSE" : "\(column) IS 0"
            }
        case .in:
            return "\(column) IN (\(values.map { rendering.bind($0) }.joined(separator: ", ")))"
        case .like:
            return postgres ? "\(column)::text LIKE \(rendering.bind(.text(likePattern(values[0]))))"
                            : "\(column) GLOB \(rendering.bind(.text(globPattern(values[0]))))"
        case .ilike:
            return postgres ? "\(column)::text ILIKE \(rendering.bind(.text(likePattern(values[0]))))"
                            : "\(column) LIKE \(rendering.bind(.text(likePattern(values[0])))) ESCAPE '\\'"
        case .isdistinct:
            return "\(column) \(postgres ? "IS DISTINCT FROM" : "IS NOT") \(rendering.bind(values[0]))"
        case .eq, .neq, .gt, .gte, .lt, .lte:
            let symbol: [Operator: String] = [.eq: "=", .neq: "<>", .gt: ">", .gte: ">=", .lt: "<", .lte: "<="]
            return "\(column) \(symbol[op]!) \(rendering.bind(values[0]))"
        }
    }

    /// A case-insensitive `ilike` pattern as SQLite's LIKE with `\` escapes:
    /// `%` and `_` are the wildcards, `*` is PostgREST's alias for `%`.
    static func likePattern(_ pattern: String) -> String {
        var out = ""
        var escaped = false
        for character in pattern {
            if escaped {
                out += "\\" + String(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "*": out += "%"
            default: out.append(character)
            }
        }
        return escaped ? out + "\\\\" : out
    }

    /// A case-sensitive `like` pattern as a GLOB: `%`/`*` become `*`, `_`
    /// becomes `?`, and GLOB's own `*?[` in the text match themselves.
    static func globPattern(_ pattern: String) -> String {
        var out = ""
        var escaped = false
        for character in pattern {
            if escaped || !"%*_\\".contains(character) {
                out += "*?[".contains(character) ? "[\(character)]" : String(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "_": out += "?"
            default: out += "*"
            }
        }
        return escaped ? out + "\\" : out
    }
}
