import Foundation
import GHLJSON
import GHLStore
import PostgresNIO

/// An entity's sync run on PostgreSQL, with the SQLite store's semantics
/// (`Store.commitSyncPage` and its neighbours): each call one transaction, so
/// a run killed at any point resumes after its last committed page.
extension PostgresStore {
    public func syncCursor(sourceId: String, entity: Entity) async throws -> String? {
        let rows = try await client.query(
            "SELECT cursor FROM sync_cursors WHERE source_id = \(sourceId) AND entity = \(entity.rawValue)", logger: logger)
        for try await cursor in rows.decode(String.self) { return cursor }
        return nil
    }

    public func beginSyncRun(_ entity: Entity, sourceId: String, cursor: String, sweeping: Bool) async throws {
        try await client.withTransaction(logger: logger) { connection in
            if sweeping { try await forgetSeen(entity, sourceId: sourceId, on: connection) }
            try await saveSyncCursor(cursor, sourceId: sourceId, entity: entity, on: connection)
        }
    }

    /// Rows (one multi-row upsert), out-of-scope marks, ids seen, cursor, job progress and lease heartbeat.
    public func commitSyncPage(_ page: Store.SyncPage) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await upsert(page.entity, sourceId: page.sourceId, records: page.records, on: connection)
            if !page.outOfScope.isEmpty {
                try await markOutOfScope(page.entity, sourceId: page.sourceId, ids: page.outOfScope, on: connection)
            }
            if let seen = page.seen, !seen.isEmpty {
                try await connection.query("""
                    INSERT INTO sync_seen (source_id, entity, ghl_id)
                    SELECT \(page.sourceId), \(page.entity.rawValue), id FROM unnest(\(seen)::text[]) AS id
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            try await saveSyncCursor(page.cursor, sourceId: page.sourceId, entity: page.entity, on: connection)
            try await updateSyncJob(page.job, page.progress, on: connection)
            try await connection.query("""
                UPDATE sync_leases SET heartbeat_at = now() WHERE source_id = \(page.lease.sourceId) AND owner = \(page.lease.owner)
                """, logger: logger)
        }
    }

    /// With `sweep`, marks the live rows the run did not see (out of scope
    /// when the filter excludes their stored state, deleted otherwise) and
    /// returns how many; then forgets the ids seen and saves the cursor.
    ///
    /// `sync_seen` swings from empty to a whole listing within a run, faster
    /// than autovacuum analyses it: planned with its empty-table estimate, the
    /// sweep's anti-join ran as a nested loop that scanned the whole table once
    /// per row (an opportunities sweep of 20,000 rows ran for minutes). So the
    /// sweep's statements run with nested loops off (`SET LOCAL`): a hash or
    /// merge anti-join reads each table once, whatever the statistics say.
    /// `ANALYZE sync_seen` still runs first, on its own (outside the
    /// transaction, so its lock is not held until the sweep commits and
    /// concurrent finishes do not queue behind it), for the hash's size; a role
    /// that does not own the table skips it with a warning, which costs the plan nothing.
    public func finishSyncRun(_ entity: Entity, sourceId: String, cursor: String, sweep: SyncFilter?) async throws -> Int? {
        if sweep != nil { try await client.query("ANALYZE sync_seen", logger: logger) }
        return try await client.withTransaction(logger: logger) { connection in
            var swept: Int?
            if let filter = sweep {
                try await execute("SET LOCAL enable_nestloop = off", on: connection)
                let unseen = """
                    NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.source_id = t.source_id AND s.entity = '\(entity.rawValue)'
                                AND s.ghl_id = t.\(entity.idColumn))
                    """
                let outOfScope = try await excluded(entity, by: filter, sourceId: sourceId, where: unseen, on: connection)
                let marked = try await markOutOfScope(entity, sourceId: sourceId, ids: outOfScope, on: connection)
                let deleted = try await count(connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE \(entity.table) AS t SET deleted_at = now(), updated_at = now(), deleted_reason = 'deleted'
                    WHERE t.source_id = $1 AND t.deleted_at IS NULL AND \(unseen)
                    RETURNING 1
                    """, binds: Self.bindings(sourceId)), logger: logger))
                swept = marked + deleted
            }
            try await forgetSeen(entity, sourceId: sourceId, on: connection)
            try await saveSyncCursor(cursor, sourceId: sourceId, entity: entity, on: connection)
            return swept
        }
    }

    public func liveCount(_ entity: Entity, sourceId: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT count(*) FROM \(entity.table) WHERE source_id = $1 AND deleted_at IS NULL
            """, binds: Self.bindings(sourceId)), logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// The `raw` of each live row by GHL id, canonical JSON as the sync wrote it
    /// (`jsonb` keeps its own key order and spacing, so it is rewritten).
    public func liveRaw(_ entity: Entity, sourceId: String) async throws -> [String: String] {
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(entity.idColumn), raw::text FROM \(entity.table) WHERE source_id = $1 AND deleted_at IS NULL
            """, binds: Self.bindings(sourceId)), logger: logger)
        var raws: [String: String] = [:]
        for try await (id, raw) in rows.decode((String, String).self) {
            raws[id] = try JSONValue(parsing: raw).canonicalJSON
        }
        return raws
    }

    /// Marks the live rows with these GHL ids out of scope; returns how many.
    @discardableResult
    func markOutOfScope(_ entity: Entity, sourceId: String, ids: [String], on connection: PostgresConnection) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await count(connection.query(PostgresQuery(unsafeSQL: """
            UPDATE \(entity.table) SET deleted_at = now(), updated_at = now(), deleted_reason = 'out_of_scope'
            WHERE source_id = $1 AND \(entity.idColumn) = ANY($2::text[]) AND deleted_at IS NULL
            RETURNING 1
            """, binds: Self.bindings(sourceId, ids)), logger: logger))
    }

    /// How many rows a statement returned.
    func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    static func bindings(_ values: any PostgresThrowingDynamicTypeEncodable...) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { try bindings.append(value, context: .default) }
        return bindings
    }

    private func saveSyncCursor(_ cursor: String, sourceId: String, entity: Entity, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO sync_cursors (source_id, entity, cursor, updated_at) VALUES (\(sourceId), \(entity.rawValue), \(cursor), now())
            ON CONFLICT (source_id, entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
            """, logger: logger)
    }

    private func forgetSeen(_ entity: Entity, sourceId: String, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM sync_seen WHERE source_id = \(sourceId) AND entity = \(entity.rawValue)", logger: logger)
    }
}
