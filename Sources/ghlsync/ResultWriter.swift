import ArgumentParser
import Foundation
import GHLJSON
import GHLStore

/// How `query` and `export` print rows.
enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// Streams query results to standard output as a table, CSV (RFC 4180) or a JSON array.
///
/// Unchecked `Sendable`: the store calls it from its reader's thread while the
/// command awaits the query, one call after another, never two at once.
final class ResultWriter: @unchecked Sendable {
    private let format: ResultFormat
    private var columns: [String] = []
    /// The JSON objects' keys: the column names, a repeated one numbered (`a`, `a_2`).
    private var jsonKeys: [String] = []
    private var tableRows: [[String]] = []
    private var rowCount = 0
    private var output = FileHandle.standardOutput
    private var buffer = ""

    init(format: ResultFormat) {
        self.format = format
    }

    func begin(_ columns: [String]) {
        self.columns = columns
        jsonKeys = Self.uniqueKeys(columns)
        switch format {
        case .csv: write(CSV.line(columns))
        case .json: write("[")
        case .table: break
        }
    }

    func add(_ values: [StoreValue]) {
        switch format {
        case .table:
            tableRows.append(values.map { CSV.text($0) ?? "NULL" })
        case .csv:
            write(CSV.line(values.map(CSV.text)))
        case .json:
            write((rowCount == 0 ? "\n" : ",\n") + jsonObject(values))
        }
        rowCount += 1
    }

    func end() {
        switch format {
        case .table:
            write(TextTable(header: columns, rows: tableRows).render() + "\n(\(rowCount) row\(rowCount == 1 ? "" : "s"))\n")
        case .json: write(rowCount == 0 ? "]\n" : "\n]\n")
        case .csv: break
        }
        flush()
    }

    /// `SELECT 1 AS a, 2 AS a` is valid SQL, but a JSON object holds each key once.
    static func uniqueKeys(_ columns: [String]) -> [String] {
        var taken = Set(columns)
        var seen: Set<String> = []
        return columns.map { name in
            if seen.insert(name).inserted { return name }
            var number = 2
            while taken.contains("\(name)_\(number)") { number += 1 }
            let key = "\(name)_\(number)"
            taken.insert(key)
            return key
        }
    }

    private func write(_ text: String) {
        buffer += text
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    private func flush() {
        output.write(Data(buffer.utf8))
        buffer = ""
    }

    /// One row as a JSON object, keys sorted; integers stay exact past 2^53.
    private func jsonObject(_ values: [StoreValue]) -> String {
        var writer = JSONWriter(capacity: 64 * values.count)
        writer.beginObject()
        for (key, value) in zip(jsonKeys, values).sorted(by: { $0.0 < $1.0 }) {
            writer.key(key)
            switch value {
            case .null: writer.null()
            case .integer(let v): writer.int(v)
            case .real(let v): writer.number(v)
            case .text(let v): writer.string(v)
            case .blob(let v): writer.string(v.base64EncodedString())
            }
        }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
