/// `pg_v4_scoped_ids`, frozen: `v_ghl_sync_status.job_id` becomes the job's
/// number within its source (`source_job_number`), as on the file, instead of
/// `ghl_sync_jobs.id`, an identity counted across all sources whose gaps would
/// tell a viewer of one source how many jobs the others ran. The column's type
/// changes (INTEGER), so the view is dropped and created again, then granted.
enum PostgresSchemaV4ScopedIds {
    static let statements: [String] = [
        "DROP VIEW v_ghl_sync_status",
        """
        CREATE VIEW v_ghl_sync_status WITH (security_invoker = true) AS
        SELECT j.source_id, j.job_type AS entity, j.source_job_number AS job_id, j.status, j.mode,
               j.records_processed, j.records_total, j.pages, j.requests, j.error,
               j.started_at, j.completed_at,
               ROUND(EXTRACT(EPOCH FROM (COALESCE(j.completed_at, now()) - j.started_at)), 3) AS duration_seconds,
               ok.last_success_at,
               EXTRACT(EPOCH FROM (now() - ok.last_success_at))::bigint AS staleness_seconds
        FROM ghl_sync_jobs j
        LEFT JOIN (
            SELECT source_id, job_type, MAX(completed_at) AS last_success_at
            FROM ghl_sync_jobs WHERE status = 'completed' GROUP BY source_id, job_type
        ) ok ON ok.source_id = j.source_id AND ok.job_type = j.job_type
        WHERE j.id = (SELECT MAX(k.id) FROM ghl_sync_jobs k
                      WHERE k.source_id = j.source_id AND k.job_type = j.job_type)
        """,
        "GRANT SELECT ON v_ghl_sync_status TO ghlsync_user",
    ]
}
