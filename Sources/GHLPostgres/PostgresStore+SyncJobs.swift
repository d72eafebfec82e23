import Foundation
import GHLStore
import PostgresNIO

/// Leases (`sync_leases`) and jobs (`ghl_sync_jobs`) on PostgreSQL, as the
/// SQLite store keeps them. Where SQLite's single writer serialises, a
/// transaction-scoped advisory lock per source does: two processes taking
/// the same lease, or numbering jobs of the same source, go in turn.
extension PostgresStore {
    public func acquire(_ lease: SourceLease) async throws -> String? {
        try await client.withTransaction(logger: logger) { connection in
            try await lock("lease", lease.sourceId, on: connection)
            let rows = try await connection.query(
                "SELECT owner, heartbeat_at FROM sync_leases WHERE source_id = \(lease.sourceId)", logger: logger)
            for try await (owner, heartbeat) in rows.decode((String, Date).self) {
                if let holder = SourceLease.holding(owner, heartbeat: heartbeat, at: Date(), staleAfter: lease.staleAfter),
                   holder != lease.owner {
                    return holder
                }
            }
            try await connection.query("""
                INSERT INTO sync_leases (source_id, owner, acquired_at, heartbeat_at) VALUES (\(lease.sourceId), \(lease.owner), now(), now())
                ON CONFLICT (source_id) DO UPDATE SET owner = excluded.owner,
                    acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at
                """, logger: logger)
            return nil
        }
    }

    public func release(_ lease: SourceLease) async throws {
        try await client.query("DELETE FROM sync_leases WHERE source_id = \(lease.sourceId) AND owner = \(lease.owner)", logger: logger)
    }

    public func startSyncJob(sourceId: String, entity: Entity, mode: SyncMode, runId: String) async throws -> (id: Int64, number: Int64) {
        try await client.withTransaction(logger: logger) { connection in
            try await lock("jobs", sourceId, on: connection)
            let rows = try await connection.query("""
                INSERT INTO ghl_sync_jobs (source_id, job_type, mode, status, started_at, created_at, run_id, source_job_number)
                SELECT \(sourceId), \(entity.rawValue), \(mode.rawValue), 'running', now(), now(), \(runId),
                       COALESCE(max(source_job_number), 0) + 1
                FROM ghl_sync_jobs WHERE source_id = \(sourceId)
                RETURNING id, source_job_number
                """, logger: logger)
            for try await (id, number) in rows.decode((Int64, Int64).self) { return (id, number) }
            throw StoreError.unknownSource(sourceId)
        }
    }

    public func finishSyncJob(_ job: Int64, _ progress: SyncJobProgress, mode: SyncMode?, error: String?, notes: String?) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await updateSyncJob(job, progress, mode: mode, on: connection)
            try await connection.query("""
                UPDATE ghl_sync_jobs SET status = \(error == nil ? "completed" : "failed"), error = \(error), notes = \(notes),
                    completed_at = now() WHERE id = \(job)
                """, logger: logger)
        }
    }

    public func closeInterruptedSyncJobs(sourceId: String, resumedBy runId: String) async throws {
        try await client.query("""
            UPDATE ghl_sync_jobs SET status = 'failed', completed_at = now(),
                error = 'interrupted: the process running this job ended before it finished; run ' || \(runId) || ' resumed from its last committed page'
            WHERE source_id = \(sourceId) AND status = 'running' AND (run_id IS NULL OR run_id <> \(runId))
            """, logger: logger)
    }

    /// Records progress inside the caller's transaction.
    func updateSyncJob(_ job: Int64, _ progress: SyncJobProgress, mode: SyncMode? = nil, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE ghl_sync_jobs SET records_processed = \(progress.records), pages = \(progress.pages), requests = \(progress.requests),
                records_total = \(progress.total), records_skipped = \(progress.skipped), mode = COALESCE(\(mode?.rawValue), mode)
            WHERE id = \(job)
            """, logger: logger)
    }

    /// Waits for, and holds until the transaction ends, the lock named `kind` of `sourceId`.
    func lock(_ kind: String, _ sourceId: String, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("ghlsync-\(kind):\(sourceId)")))", logger: logger)
    }
}
