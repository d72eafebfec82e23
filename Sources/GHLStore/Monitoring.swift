import GRDB

/// The seed's monitoring queries ("Monitoring & Observability"), for `ghlsync status`.
public enum Monitoring {
    /// Average sync duration, runs and failures by job type over the last 7 days.
    public static let syncPerformance = ReadOnlyQuery(sql: """
        SELECT job_type,
               ROUND(AVG((julianday(completed_at) - julianday(started_at)) * 86400.0), 3) AS avg_duration_seconds,
               COUNT(*) AS total_runs,
               SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failure_count
        FROM ghl_sync_jobs
        WHERE created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
        GROUP BY job_type ORDER BY job_type
        """)

    /// Time since the last change of each entity's rows, per source.
    public static let freshness = ReadOnlyQuery(sql: Entity.allCases.map { entity in
        """
        SELECT s.name AS source, '\(entity.rawValue)' AS entity, MAX(t.updated_at) AS last_updated,
               CAST((julianday('now') - julianday(MAX(t.updated_at))) * 86400 AS INTEGER) AS staleness_seconds
        FROM ghl_sources s LEFT JOIN \(entity.table) t ON t.source_id = s.id GROUP BY s.id
        """
    }.joined(separator: "\nUNION ALL\n") + "\nORDER BY source, entity")

    /// Sources by number of sync jobs over the last 30 days.
    public static let activeSources = ReadOnlyQuery(sql: """
        SELECT s.name, s.id AS source_id, COUNT(DISTINCT j.id) AS sync_count, MAX(j.created_at) AS last_sync
        FROM ghl_sources s
        LEFT JOIN ghl_sync_jobs j ON j.source_id = s.id AND j.created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 days')
        GROUP BY s.id, s.name
        ORDER BY sync_count DESC, s.name
        """)
}
