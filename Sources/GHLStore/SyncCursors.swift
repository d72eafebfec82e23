import Foundation
import GRDB

/// The `sync_cursors` rows: per source and entity, the sync's own state
/// (watermark, unfinished run) as JSON text the store keeps but does not read.
extension Store {
    /// The cursor text of `entity` of a source, nil when none was saved.
    public func syncCursor(sourceId: String, entity: Entity) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT cursor FROM sync_cursors WHERE source_id = ? AND entity = ?",
                                arguments: [sourceId, entity.rawValue])
        }
    }

    /// Saves the cursor inside the caller's transaction.
    static func saveSyncCursor(_ cursor: String, sourceId: String, entity: Entity, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO sync_cursors (source_id, entity, cursor, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (source_id, entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
            """, arguments: [sourceId, entity.rawValue, cursor, Timestamp.string()])
    }
}
