import Foundation
import GHLStore
import PostgresNIO

/// A batch of records upserted in one statement: every column bound once as
/// an array, `unnest` turning the arrays into rows, and the SQLite store's
/// rule (`Store.upsert`): an unchanged record (same `raw`, not deleted)
/// writes nothing; a soft-deleted one is revived.
extension PostgresStore {
    @discardableResult
    func upsert(_ entity: Entity, sourceId: String, records: [EntityRecord], on connection: PostgresConnection) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        let batch = Self.lastOfEachId(records)
        let columns = entity.columns
        var arrays = [[String?]](repeating: [], count: columns.count + 4)
        for index in arrays.indices { arrays[index].reserveCapacity(batch.count) }
        for record in batch {
            arrays[0].append(record.ghlId)
            var found = 0
            for (index, column) in columns.enumerated() {
                let value = record.values[column.name]
                if value != nil { found += 1 }
                arrays[index + 1].append(value.flatMap(Self.text))
            }
            guard found == record.values.count else {
                let unknown = Set(record.values.keys).subtracting(columns.map(\.name)).sorted()
                throw StoreError.invalidInput("\(entity.table) has no column \(unknown.joined(separator: ", "))")
            }
            arrays[columns.count + 1].append(record.raw)
            arrays[columns.count + 2].append(record.ghlCreatedAt)
            arrays[columns.count + 3].append(record.ghlUpdatedAt)
        }
        do {
            if ProcessInfo.processInfo.environment["GHLSYNC_PG_BATCH"] == "copy" {
                return try await copyUpsert(entity, sourceId: sourceId, arrays: arrays, on: connection)
            }
            var bindings = PostgresBindings()
            bindings.append(sourceId)
            for array in arrays { bindings.append(PostgresTextArray(values: array)) }
            return try await count(connection.query(PostgresQuery(unsafeSQL: Self.upsertSQL(entity), binds: bindings), logger: logger))
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            throw StoreError.unknownSource(sourceId)
        }
    }

    /// GHL's offset paging can return a record twice in one batch; one
    /// statement may change a row only once, so the later copy wins, as it
    /// does when SQLite writes them in turn.
    static func lastOfEachId(_ records: [EntityRecord]) -> [EntityRecord] {
        var position: [String: Int] = [:]
        var batch: [EntityRecord] = []
        batch.reserveCapacity(records.count)
        for record in records {
            if let index = position[record.ghlId] { batch[index] = record } else {
                position[record.ghlId] = batch.count
                batch.append(record)
            }
        }
        return batch
    }

    /// A typed column's value as text that casts to its PostgreSQL type;
    /// nil for NULL and for a number PostgreSQL's `numeric` cannot hold.
    static func text(_ value: StoreValue) -> String? {
        switch value {
        case .null, .blob: nil
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): number.isFinite ? String(number) : nil
        }
    }

    /// `$1` the source, then one `text[]` per column: GHL id, typed columns, raw, created, updated.
    private static func upsertSQL(_ entity: Entity) -> String {
        let typed = entity.columns
        let names = typed.map(\.name)
        let aliases = ["ghl_id"] + names.map { "c_\($0)" } + ["raw", "created", "updated"]
        let values = ["r.ghl_id"] + typed.map { "r.c_\($0.name)" + cast($0.reading) } + [
            "r.raw::jsonb", "r.created::timestamptz", "r.updated::timestamptz"]
        let updated = names + ["raw", "ghl_created_at", "ghl_updated_at"]
        let t = entity.table
        return """
            INSERT INTO \(t) AS t (source_id, \(entity.idColumn), \(names.joined(separator: ", ")), raw, ghl_created_at, ghl_updated_at,
                                   created_at, updated_at, synced_at)
            SELECT $1, \(values.joined(separator: ", ")), now(), now(), now()
            FROM unnest(\((2...aliases.count + 1).map { "$\($0)::text[]" }.joined(separator: ", "))) AS r (\(aliases.joined(separator: ", ")))
            ON CONFLICT (source_id, \(entity.idColumn)) DO UPDATE SET
                \(updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
                updated_at = excluded.updated_at, synced_at = excluded.synced_at, deleted_at = NULL, deleted_reason = NULL
            WHERE t.raw IS DISTINCT FROM excluded.raw OR t.deleted_at IS NOT NULL
            RETURNING 1
            """
    }

    private func copyUpsert(_ entity: Entity, sourceId: String, arrays: [[String?]], on connection: PostgresConnection) async throws -> Int {
        let typed = entity.columns
        let aliases = ["ghl_id"] + typed.map { "c_\($0.name)" } + ["raw", "created", "updated"]
        let stage = "ghlsync_stage_\(entity.rawValue)"
        try await connection.query(PostgresQuery(unsafeSQL: """
            CREATE TEMP TABLE IF NOT EXISTS \(stage) (\(aliases.map { "\($0) text" }.joined(separator: ", "))) ON COMMIT DELETE ROWS
            """), logger: logger)
        var buffer = ByteBuffer()
        for row in arrays[0].indices {
            for (column, array) in arrays.enumerated() {
                if column > 0 { buffer.writeString("\t") }
                guard let value = array[row] else { buffer.writeString("\\N"); continue }
                var escaped = ""
                for character in value.unicodeScalars {
                    switch character {
                    case "\\": escaped += "\\\\"
                    case "\t": escaped += "\\t"
                    case "\n": escaped += "\\n"
                    case "\r": escaped += "\\r"
                    default: escaped.unicodeScalars.append(character)
                    }
                }
                buffer.writeString(escaped)
            }
            buffer.writeString("\n")
        }
        try await connection.copyFrom(table: stage, columns: aliases, logger: logger) { writer in try await writer.write(buffer) }
        let names = typed.map(\.name)
        let values = ["r.ghl_id"] + typed.map { "r.c_\($0.name)" + Self.cast($0.reading) } + [
            "r.raw::jsonb", "r.created::timestamptz", "r.updated::timestamptz"]
        let updated = names + ["raw", "ghl_created_at", "ghl_updated_at"]
        let t = entity.table
        return try await count(connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(t) AS t (source_id, \(entity.idColumn), \(names.joined(separator: ", ")), raw, ghl_created_at, ghl_updated_at,
                                   created_at, updated_at, synced_at)
            SELECT $1, \(values.joined(separator: ", ")), now(), now(), now() FROM \(stage) AS r
            ON CONFLICT (source_id, \(entity.idColumn)) DO UPDATE SET
                \(updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
                updated_at = excluded.updated_at, synced_at = excluded.synced_at, deleted_at = NULL, deleted_reason = NULL
            WHERE t.raw IS DISTINCT FROM excluded.raw OR t.deleted_at IS NOT NULL
            RETURNING 1
            """, binds: Self.bindings(sourceId)), logger: logger))
    }

    /// The cast from text to a column's PostgreSQL type (`pg_v1_tables`).
    static func cast(_ reading: EntityColumn.Reading) -> String {
        switch reading {
        case .text: ""
        case .real: "::numeric"
        case .flag: "::integer::boolean"
        case .json: "::jsonb"
        case .timestamp: "::timestamptz"
        }
    }
}
