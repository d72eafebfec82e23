import Foundation

/// Rows as CSV (RFC 4180, CRLF line ends): what `ghlsync query --format csv`
/// prints and `/rest/v1` answers to `Accept: text/csv`. NULL is an empty field.
public enum CSV {
    /// One line of fields, each quoted only when it must be.
    public static func line(_ fields: [String?]) -> String {
        fields.map { $0.map(quoted) ?? "" }.joined(separator: ",") + "\r\n"
    }

    /// A value as text: numbers as Swift prints them, blobs as base64, NULL as nil.
    public static func text(_ value: StoreValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .text(let v): v
        case .blob(let v): v.base64EncodedString()
        }
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension ScopedRows {
    /// The header line, then one line per row.
    public func csv() -> String {
        rows.reduce(CSV.line(columns)) { $0 + CSV.line($1.map { CSV.text(StoreValue($0)) }) }
    }
}
