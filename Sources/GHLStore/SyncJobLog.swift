import Foundation
import GRDB

/// Live figures of a running sync job, as `ghl_sync_jobs` keeps them.
public struct SyncJobProgress: Sendable, Equatable {
    public var records = 0
    public var pages = 0
    public var requests = 0
    public var total: Int?
    public var skipped = 0

    public init(records: Int = 0, pages: Int = 0, requests: Int = 0, total: Int? = nil, skipped: Int = 0) {
        self.records = records
        self.pages = pages
        self.requests = requests
        self.total = total
        self.skipped = skipped
    }
}

/// The `ghl_sync_jobs` rows of a run, one per entity, as the seed keeps them.
///
/// Progress is written inside each page's transaction (`commitSyncPage`), so
/// a row never claims records the file does not hold; because
/// `ghl_sync_jobs` is a broadcast table, every update also reaches the
/// dashboard as a realtime event.
extension Store {
    /// Starts a job: its row id, and its number within the source (what the source's users see as its id).
    public func startSyncJob(sourceId: String, entity: Entity, mode: SyncMode, runId: String,
                             at date: Date = Date()) async throws -> (id: Int64, number: Int64) {
        let now = Timestamp.string(date)
        return try await pool.write { db in
            let number = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(source_job_number), 0) + 1 FROM ghl_sync_jobs WHERE source_id = ?",
                                            arguments: [sourceId]) ?? 1
            try db.execute(sql: """
                INSERT INTO ghl_sync_jobs (source_id, job_type, mode, status, started_at, created_at, run_id, source_job_number)
                VALUES (?, ?, ?, 'running', ?, ?, ?, ?)
                """, arguments: [sourceId, entity.rawValue, mode.rawValue, now, now, runId, number])
            return (db.lastInsertedRowID, number)
        }
    }

    /// Ends a job as completed (`error == nil`) or failed, with its last figures.
    public func finishSyncJob(_ job: Int64, _ progress: SyncJobProgress, mode: SyncMode?, error: String?, notes: String?) async throws {
        try await pool.write { db in
            try Self.updateSyncJob(job, progress, mode: mode, in: db)
            try db.execute(sql: """
                UPDATE ghl_sync_jobs SET status = ?, error = ?, notes = ?, completed_at = ? WHERE id = ?
                """, arguments: [error == nil ? "completed" : "failed", error, notes, Timestamp.string(), job])
        }
    }

    /// Marks the jobs of runs that ended without finishing (a killed process) as
    /// failed, so no row stays `running` forever. Called under the source's lease.
    public func closeInterruptedSyncJobs(sourceId: String, resumedBy runId: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE ghl_sync_jobs SET status = 'failed', completed_at = ?,
                    error = 'interrupted: the process running this job ended before it finished; run ' || ? || ' resumed from its last committed page'
                WHERE source_id = ? AND status = 'running' AND (run_id IS NULL OR run_id <> ?)
                """, arguments: [Timestamp.string(), runId, sourceId, runId])
        }
    }

    /// Records progress inside the caller's transaction.
    static func updateSyncJob(_ job: Int64, _ progress: SyncJobProgress, mode: SyncMode? = nil, in db: Database) throws {
        try db.execute(sql: """
            UPDATE ghl_sync_jobs SET records_processed = ?, pages = ?, requests = ?, records_total = ?,
                records_skipped = ?, mode = COALESCE(?, mode) WHERE id = ?
            """, arguments: [progress.records, progress.pages, progress.requests, progress.total,
                             progress.skipped, mode?.rawValue, job])
    }
}
