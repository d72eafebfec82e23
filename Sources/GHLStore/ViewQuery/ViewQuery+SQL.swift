import GRDB

/// The SQL of a `ViewQuery`, over the view of the same name as the scoped
/// connection defines it.
extension ViewQuery {
    /// The page's statement, restricted to `sourceIds` whatever the filters say
    /// (the scope restricts it anyway; naming the sources lets SQLite use the
    /// `source_id` indexes).
    func selectSQL(sourceIds: [String]) -> (sql: String, arguments: [DatabaseValue]) {
        let (whereSQL, arguments) = whereClause(sourceIds: sourceIds)
        let selected = fields.map { $0.map(Self.selected).joined(separator: ", ") } ?? "*"
        var sql = "SELECT \(selected) FROM \(sqlIdentifier(view)) WHERE \(whereSQL)"
        if !order.isEmpty {
            sql += " ORDER BY " + order.map { term in
                sqlIdentifier(term.column) + (term.descending ? " DESC" : " ASC")
                    + (term.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
            }.joined(separator: ", ")
        }
        return (sql + " LIMIT \(pageSize) OFFSET \(offset)", arguments)
    }

    /// How many rows match, ignoring limit and offset (`Prefer: count=exact`).
    func countSQL(sourceIds: [String]) -> (sql: String, arguments: [DatabaseValue]) {
        let (whereSQL, arguments) = whereClause(sourceIds: sourceIds)
        return ("SELECT COUNT(*) FROM \(sqlIdentifier(view)) WHERE \(whereSQL)", arguments)
    }

    private static func selected(_ field: Field) -> String {
        field.alias == field.column ? sqlIdentifier(field.column) : "\(sqlIdentifier(field.column)) AS \(sqlIdentifier(field.alias))"
    }

    private func whereClause(sourceIds: [String]) -> (String, [DatabaseValue]) {
        var arguments: [DatabaseValue] = sourceIds.map(\.databaseValue)
        var clauses = ["source_id IN (\(Array(repeating: "?", count: sourceIds.count).joined(separator: ", ")))"]
        for condition in conditions {
            clauses.append(Self.sql(condition, &arguments))
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    private static func sql(_ condition: Condition, _ arguments: inout [DatabaseValue]) -> String {
        switch condition {
        case .group(let any, let members, let negated):
            let joined = "(" + members.map { sql($0, &arguments) }.joined(separator: any ? " OR " : " AND ") + ")"
            return negated ? "NOT \(joined)" : joined
        case .filter(let column, let op, let values, let negated):
            let test = filterSQL(sqlIdentifier(column), op, values, &arguments)
            return negated ? "NOT (\(test))" : "(\(test))"
        }
    }

    private static func filterSQL(_ column: String, _ op: Operator, _ values: [String], _ arguments: inout [DatabaseValue]) -> String {
        switch op {
        case .is:
            // Postgres' IS TRUE / IS FALSE / IS UNKNOWN: never NULL themselves.
            switch values[0] {
            case "null", "unknown": return "\(column) IS NULL"
            case "not_null": return "\(column) IS NOT NULL"
            case "true": return "\(column) IS 1"
            default: return "\(column) IS 0"
            }
        case .in:
            arguments += values.map(bound)
            return "\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
        case .like:
            arguments.append(globPattern(values[0]).databaseValue)
            return "\(column) GLOB ?"
        case .ilike:
            arguments.append(likePattern(values[0]).databaseValue)
            return "\(column) LIKE ? ESCAPE '\\'"
        case .isdistinct:
            arguments.append(bound(values[0]))
            return "\(column) IS NOT ?"
        case .eq, .neq, .gt, .gte, .lt, .lte:
            arguments.append(bound(values[0]))
            let symbol: [Operator: String] = [.eq: "=", .neq: "<>", .gt: ">", .gte: ">=", .lt: "<", .lte: "<="]
            return "\(column) \(symbol[op]!) ?"
        }
    }

    /// Numbers compare as numbers (view columns computed by expressions have no affinity).
    private static func bound(_ value: String) -> DatabaseValue {
        if let int = Int64(value) { return int.databaseValue }
        if let double = Double(value), double.isFinite, value.contains(".") { return double.databaseValue }
        return value.databaseValue
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
