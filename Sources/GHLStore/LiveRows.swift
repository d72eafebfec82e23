import Foundation
import GRDB

/// Reads of a source's live rows (neither deleted nor out of scope) that the
/// sync and its benchmark compare with what GHL holds.
extension Store {
    /// How many live rows of `entity` a source has.
    public func liveCount(_ entity: Entity, sourceId: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(entity.table) WHERE source_id = ? AND deleted_at IS NULL",
                             arguments: [sourceId]) ?? 0
        }
    }

    /// The `raw` JSON of each live row of `entity` of a source, by GHL id.
    public func liveRaw(_ entity: Entity, sourceId: String) async throws -> [String: String] {
        try await pool.read { db in
            var raws: [String: String] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT \(entity.idColumn) AS id, raw FROM \(entity.table) WHERE source_id = ? AND deleted_at IS NULL
                """, arguments: [sourceId])
            while let row = try rows.next() { raws[row["id"]] = row["raw"] as String }
            return raws
        }
    }
}
