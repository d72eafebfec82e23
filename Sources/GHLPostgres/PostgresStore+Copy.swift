import Foundation
import GHLStore
import PostgresNIO

extension PostgresStore {
    /// Copies a ghlsync file's `CopiedTable`s into this database, which must be
    /// migrated and hold none of their rows, in one transaction, each table
    /// streamed from the file in batches of `batchSize` rows sent with COPY.
    /// Row ids are kept and the identity sequences moved past them. The
    /// broadcast trigger is off during the copy: copied rows are not changes.
    /// The tables are vacuumed and analysed after.
    /// Returns each table with the number of rows copied.
    public func copy(from file: Store, batchSize: Int = 5_000) async throws -> [(table: CopiedTable, rows: Int)] {
        let copied = try await copyInOneTransaction(from: file, batchSize: batchSize)
        // Statistics for the planner, and the visibility map that lets a count
        // read an index alone (without it, counting a large source's contacts
        // as a viewer took 350-700 ms instead of 20-30).
        for table in CopiedTable.allCases {
            try await client.query(PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) \(table.rawValue)"), logger: logger)
        }
        return copied
    }

    private func copyInOneTransaction(from file: Store, batchSize: Int) async throws -> [(table: CopiedTable, rows: Int)] {
        try await client.withTransaction(logger: logger) { connection in
            try await execute("SET LOCAL TimeZone = 'UTC'", on: connection)
            let filled = try await filledTables(on: connection)
            guard filled.isEmpty else {
                throw PostgresStoreError(
                    "\(url) is not empty (\(filled.joined(separator: ", ")) hold rows): migrate-to-postgres copies into an empty database only")
            }
            let broadcasting = CopiedTable.allCases.filter { $0.rawValue.hasPrefix("ghl_") }
            for table in broadcasting {
                try await execute(PostgresQuery(unsafeSQL: "ALTER TABLE \(table.rawValue) DISABLE TRIGGER USER"), on: connection)
            }
            var copied: [(table: CopiedTable, rows: Int)] = []
            for table in CopiedTable.allCases {
                let target = Set(try await columnNames(of: table.rawValue, on: connection))
                let columns = try await file.columns(of: table).filter(target.contains)
                var after: Int64 = 0
                var count = 0
                while true {
                    let from = after
                    let batch = try await file.rows(of: table, columns: columns, after: from, limit: batchSize)
                    if !batch.rows.isEmpty {
                        var buffer = ByteBuffer()
                        for row in batch.rows { buffer.writeString(Self.copyLine(row)) }
                        // postgres-nio quotes the names (they come from the two schemas, never from input).
                        try await connection.copyFrom(table: table.rawValue, columns: columns, logger: logger) {
                            try await $0.write(buffer)
                        }
                    }
                    count += batch.rows.count
                    guard let next = batch.next else { break }
                    after = next
                }
                copied.append((table, count))
            }
            for table in try await identityTables(on: connection) {
                try await execute(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), max(id)) FROM \(table) HAVING max(id) IS NOT NULL
                    """), on: connection)
            }
            for table in broadcasting {
                try await execute(PostgresQuery(unsafeSQL: "ALTER TABLE \(table.rawValue) ENABLE TRIGGER USER"), on: connection)
            }
            return copied
        }
    }

    /// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
    static func copyLine(_ row: [StoreValue]) -> String {
        row.map { value -> String in
            switch value {
            case .null: return "\\N"
            case .integer(let v): return String(v)
            case .real(let v): return "\(v)"
            case .text(let text):
                var escaped = ""
                for character in text.unicodeScalars {
                    switch character {
                    case "\\": escaped += "\\\\"
                    case "\t": escaped += "\\t"
                    case "\n": escaped += "\\n"
                    case "\r": escaped += "\\r"
                    default: escaped.unicodeScalars.append(character)
                    }
                }
                return escaped
            case .blob(let data): return "\\\\x" + data.map { String(format: "%02x", $0) }.joined()
            }
        }.joined(separator: "\t") + "\n"
    }

    /// The copied tables that already hold rows.
    private func filledTables(on connection: PostgresConnection) async throws -> [String] {
        var filled: [String] = []
        for table in CopiedTable.allCases {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table.rawValue))"), logger: logger)
            for try await any in rows.decode(Bool.self) where any { filled.append(table.rawValue) }
        }
        return filled
    }

    private func columnNames(of table: String, on connection: PostgresConnection) async throws -> [String] {
        var names: [String] = []
        let rows = try await connection.query("""
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
            """, logger: logger)
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    /// The copied tables whose `id` is an identity column.
    private func identityTables(on connection: PostgresConnection) async throws -> [String] {
        var tables: [String] = []
        let rows = try await connection.query("""
            SELECT table_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'
            """, logger: logger)
        for try await table in rows.decode(String.self) where CopiedTable(rawValue: table) != nil { tables.append(table) }
        return tables
    }
}
