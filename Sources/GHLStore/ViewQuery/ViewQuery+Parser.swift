import Foundation

extension ViewQuery {
    /// The pieces of PostgREST's URL grammar, each checked against the view's columns.
    struct Parser {
        let view: String
        let columns: [String]

        /// `*`, or a list of `column` and `alias:column`, where `*` may stand among them.
        func fields(_ value: String) throws(ViewQueryError) -> [Field]? {
            let items = Self.splitTopLevel(value).map { $0.trimmingCharacters(in: .whitespaces) }
            if items == ["*"] { return nil }
            var fields: [Field] = []
            for item in items {
                if item == "*" {
                    fields += columns.map { Field(column: $0, alias: $0) }
                    continue
                }
                let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard !item.isEmpty, !item.contains("::"), parts.allSatisfy({ !$0.isEmpty }) else {
                    throw ViewQueryError.syntax("select (\(value))", "expected column or alias:column, got \"\(item)\"")
                }
                let column = try checked(parts.last!)
                fields.append(Field(column: column, alias: parts.count == 2 ? parts[0] : column))
            }
            return fields
        }

        func ordering(_ term: String) throws(ViewQueryError) -> Ordering {
            let parts = term.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var ordering = Ordering(column: try checked(parts[0]), descending: false, nullsFirst: nil)
            for modifier in parts.dropFirst() {
                switch modifier {
                case "asc": ordering.descending = false
                case "desc": ordering.descending = true
                case "nullsfirst": ordering.nullsFirst = true
                case "nullslast": ordering.nullsFirst = false
                default: throw ViewQueryError.syntax("order (\(term))", "unexpected \"\(modifier)\" expecting asc, desc, nullsfirst or nullslast")
                }
            }
            return ordering
        }

        static func count(_ key: String, _ value: String) throws(ViewQueryError) -> Int {
            guard let n = Int(value), n >= 0 else {
                throw ViewQueryError.syntax("\(key) (\(value))", "\(key) must be a whole number, 0 or more")
            }
            return n
        }

        /// A top-level `or=(...)`, `and=(...)`, `not.or=(...)` or `not.and=(...)`.
        func group(_ key: String, _ value: String) throws(ViewQueryError) -> Condition {
            guard value.hasPrefix("("), value.hasSuffix(")") else {
                throw ViewQueryError.syntax("logic tree (\(key)=\(value))", "\(key)= takes a parenthesised list, e.g. or=(a.eq.1,b.eq.2)")
            }
            return try logicTree(key + value)
        }

        /// `[not.]or(...)`, `[not.]and(...)` or `column.[not.]op.value`.
        private func logicTree(_ text: String) throws(ViewQueryError) -> Condition {
            var rest = Substring(text)
            let negated = rest.hasPrefix("not.")
            if negated { rest = rest.dropFirst(4) }
            for (name, any) in [("or(", true), ("and(", false)] where rest.hasPrefix(name) {
                guard rest.hasSuffix(")") else {
                    throw ViewQueryError.syntax("logic tree (\(text))", "expected \")\" at the end")
                }
                let inner = String(rest.dropFirst(name.count).dropLast())
                var members: [Condition] = []
                for item in Self.splitTopLevel(inner) {
                    members.append(try logicTree(item.trimmingCharacters(in: .whitespaces)))
                }
                guard !members.isEmpty else { throw ViewQueryError.syntax("logic tree (\(text))", "expected at least one condition") }
                return .group(any: any, members, negated: negated)
            }
            let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw ViewQueryError.syntax("logic tree (\(text))", "expected column.operator.value, or(...) or and(...)")
            }
            return try filter(column: parts[0], expression: parts[1])
        }

        /// `column=[not.]op.value`.
        func filter(column: String, expression: String) throws(ViewQueryError) -> Condition {
            let column = try checked(column)
            var rest = Substring(expression)
            let negated = rest.hasPrefix("not.")
            if negated { rest = rest.dropFirst(4) }
            let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let op = Operator(rawValue: parts[0]) else {
                throw ViewQueryError.syntax("filter (\(column)=\(expression))", "expected [not.]operator.value with operator one of "
                                                + Operator.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let value = parts[1]
            switch op {
            case .in:
                guard value.hasPrefix("("), value.hasSuffix(")") else {
                    throw ViewQueryError.syntax("filter (\(column)=\(expression))", "in. takes a list, e.g. in.(a,b)")
                }
                let values = Self.splitTopLevel(String(value.dropFirst().dropLast())).map(Self.unquoted)
                return .filter(column: column, op: op, values: values, negated: negated)
            case .is:
                guard ["null", "not_null", "true", "false", "unknown"].contains(value.lowercased()) else {
                    throw ViewQueryError.syntax("filter (\(column)=\(expression))", "is. takes null, not_null, true, false or unknown")
                }
                return .filter(column: column, op: op, values: [value.lowercased()], negated: negated)
            default:
                return .filter(column: column, op: op, values: [Self.unquoted(value)], negated: negated)
            }
        }

        private func checked(_ column: String) throws(ViewQueryError) -> String {
            guard columns.contains(column) else {
                throw ViewQueryError(.unknownColumn, "column \(view).\(column) does not exist",
                                     hint: "Its columns are: \(columns.joined(separator: ", "))")
            }
            return column
        }

        /// A value in double quotes (how PostgREST escapes `,` `.` `(` `)`), without them.
        private static func unquoted(_ value: String) -> String {
            guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return value }
            return String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }

        /// Splits at commas that are outside double quotes and parentheses.
        static func splitTopLevel(_ text: String) -> [String] {
            var items: [String] = []
            var current = ""
            var depth = 0
            var quoted = false
            var escaped = false
            for character in text {
                if escaped {
                    escaped = false
                } else {
                    switch character {
                    case "\\" where quoted: escaped = true
                    case "\"": quoted.toggle()
                    case "(" where !quoted: depth += 1
                    case ")" where !quoted: depth -= 1
                    case "," where !quoted && depth == 0:
                        items.append(current)
                        current = ""
                        continue
                    default: break
                    }
                }
                current.append(character)
            }
            if !current.isEmpty || !items.isEmpty { items.append(current) }
            return items
        }
    }
}
