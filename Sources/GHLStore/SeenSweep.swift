import Foundation
import GRDB

/// The writes of one entity's sync run: pages committed whole together with
/// the run's cursor, the ids seen (`sync_seen`), the job's progress and the
/// lease heartbeat, then the deletion sweep of the rows the run did not see.
///
/// Each call is one transaction, so a run killed at any point resumes after
/// its last committed page, and the file never holds half a page.
extension Store {
    /// What one page transaction writes (several pages fetched while the one
    /// before was written go together).
    public struct SyncPage: Sendable {
        public var entity: Entity
        public var sourceId: String
        public var records: [EntityRecord]
        /// Ids of records the source's filter excludes: their live rows are marked out of scope.
        public var outOfScope: [String]
        /// Ids the run saw, remembered for the sweep; nil when the run does not sweep.
        public var seen: [String]?
        /// The run's cursor after these pages (`syncCursor`).
        public var cursor: String
        public var job: Int64
        public var progress: SyncJobProgress
        public var lease: SourceLease
        /// The records are expected to be new rows (a listing into an entity
        /// that had none): their INSERTs are then logged in one statement
        /// (`Store.upsert(_:sourceId:records:at:rowsNew:in:)`).
        public var rowsNew: Bool

        public init(entity: Entity, sourceId: String, records: [EntityRecord], outOfScope: [String], seen: [String]?,
                    cursor: String, job: Int64, progress: SyncJobProgress, lease: SourceLease, rowsNew: Bool = false) {
            self.entity = entity
            self.sourceId = sourceId
            self.records = records
            self.outOfScope = outOfScope
            self.seen = seen
            self.cursor = cursor
            self.job = job
            self.progress = progress
            self.lease = lease
            self.rowsNew = rowsNew
        }
    }

    /// Records a new run (or phase) of `entity`: its cursor, and for a full
    /// listing (`sweeping`) no ids seen yet.
    public func beginSyncRun(_ entity: Entity, sourceId: String, cursor: String, sweeping: Bool) async throws {
        try await pool.write { db in
            if sweeping { try Self.forgetSeen(entity, sourceId: sourceId, in: db) }
            try Self.saveSyncCursor(cursor, sourceId: sourceId, entity: entity, in: db)
        }
    }

    /// Writes pages in one transaction (awaiting the writer, not blocking a thread): rows, out-of-scope marks, ids seen,
    /// cursor, job progress and lease heartbeat.
    public func commitSyncPage(_ page: SyncPage) async throws {
        try await pool.write { db in try Self.writeSyncPage(page, in: db) }
    }

    /// One page transaction's writes.
    private static func writeSyncPage(_ page: SyncPage, in db: Database) throws {
        let now = Date()
        try upsert(page.entity, sourceId: page.sourceId, records: page.records, at: now, rowsNew: page.rowsNew, in: db)
        try markOutOfScope(page.entity, sourceId: page.sourceId, ids: page.outOfScope, at: now, in: db)
        if let seen = page.seen {
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO sync_seen (source_id, entity, ghl_id) VALUES (?, ?, ?)")
            let entity = page.entity.rawValue
            for id in seen {
                insert.setUncheckedArguments([page.sourceId, entity, id])
                try insert.execute()
            }
        }
        try saveSyncCursor(page.cursor, sourceId: page.sourceId, entity: page.entity, in: db)
        try updateSyncJob(page.job, page.progress, in: db)
        try page.lease.renew(at: now, in: db)
    }

    /// Ends a run in one transaction: with `sweep`, marks the live rows whose
    /// ids the run did not see (out of scope when `sweep` excludes their stored
    /// state, deleted otherwise) and returns how many; then forgets the ids
    /// seen and saves the cursor.
    public func finishSyncRun(_ entity: Entity, sourceId: String, cursor: String, sweep: SyncFilter?) async throws -> Int? {
        try await pool.write { db -> Int? in
            var swept: Int?
            if let filter = sweep {
                try filter.withScopeSQL(entity, in: db) { inScope in
                    try db.execute(sql: """
                        UPDATE \(entity.table) SET deleted_at = ?1, updated_at = ?1,
                            deleted_reason = CASE WHEN \(inScope) THEN 'deleted' ELSE 'out_of_scope' END
                        WHERE source_id = ?2 AND deleted_at IS NULL AND NOT EXISTS (
                            SELECT 1 FROM sync_seen s WHERE s.source_id = ?2 AND s.entity = ?3 AND s.ghl_id = \(entity.table).\(entity.idColumn))
                        """, arguments: [Timestamp.string(), sourceId, entity.rawValue])
                }
                swept = db.changesCount
            }
            try Self.forgetSeen(entity, sourceId: sourceId, in: db)
            try Self.saveSyncCursor(cursor, sourceId: sourceId, entity: entity, in: db)
            return swept
        }
    }

    private static func forgetSeen(_ entity: Entity, sourceId: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM sync_seen WHERE source_id = ? AND entity = ?", arguments: [sourceId, entity.rawValue])
    }
}
