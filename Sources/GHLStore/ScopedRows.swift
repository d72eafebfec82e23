import Foundation
import GRDB

/// A complete scoped result: column names and rows of values, in order.
public struct ScopedRows: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[DatabaseValue]]

    public init(columns: [String], rows: [[DatabaseValue]]) {
        self.columns = columns
        self.rows = rows
    }

    /// A result read elsewhere (PostgreSQL), in the store's values.
    public init(columns: [String], values: [[StoreValue]]) {
        self.init(columns: columns, rows: values.map { $0.map(\.databaseValue) })
    }

    /// The rows as a JSON array of objects, keys in column order, as PostgREST
    /// answers. Blobs are base64 strings; non-finite numbers are null.
    public func jsonData() -> Data {
        var out = "["
        for (index, row) in rows.enumerated() {
            out += index == 0 ? "{" : ",{"
            for (position, (column, value)) in zip(columns, row).enumerated() {
                if position > 0 { out += "," }
                out += jsonString(column) + ":" + jsonValue(value)
            }
            out += "}"
        }
        out += "]"
        return Data(out.utf8)
    }

    /// Each row as a dictionary, for callers that look values up by column.
    public var dictionaries: [[String: DatabaseValue]] {
        rows.map { Dictionary(zip(columns, $0), uniquingKeysWith: { first, _ in first }) }
    }
}

private func jsonValue(_ value: DatabaseValue) -> String {
    switch value.storage {
    case .null: "null"
    case .int64(let v): String(v)
    case .double(let v): v.isFinite ? String(v) : "null"
    case .string(let v): jsonString(v)
    case .blob(let v): jsonString(v.base64EncodedString())
    }
}

private func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
