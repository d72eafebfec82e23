import GHLStore
import PostgresNIO

/// The seed's monitoring queries ("Monitoring & Observability") in
/// PostgreSQL's dialect, for `ghlsync status`; the same columns as the SQLite
/// store's `Monitoring`, every value as text.
public enum PostgresMonitoring: CaseIterable, Sendable {
    case syncPerformance, freshness, activeSources

    var sql: String {
        switch self {
        case .syncPerformance:
            """
            SELECT job_type,
                   round(avg(extract(epoch FROM completed_at - started_at)), 3)::text AS avg_duration_seconds,
                   count(*)::text AS total_runs,
                   count(*) FILTER (WHERE status = 'failed')::text AS failure_count
            FROM ghl_sync_jobs WHERE created_at > now() - interval '7 days'
            GROUP BY job_type ORDER BY job_type
            """
        case .freshness:
            Entity.allCases.map { entity in
                """
                SELECT s.name AS source, '\(entity.rawValue)' AS entity, \(PostgresStore.timestampText("max(t.updated_at)")) AS last_updated,
                       floor(extract(epoch FROM now() - max(t.updated_at)))::bigint::text AS staleness_seconds
                FROM ghl_sources s LEFT JOIN \(entity.table) t ON t.source_id = s.id GROUP BY s.id, s.name
                """
            }.joined(separator: "\nUNION ALL\n") + "\nORDER BY source, entity"
        case .activeSources:
            """
            SELECT s.name, s.id AS source_id, count(DISTINCT j.id)::text AS sync_count,
                   \(PostgresStore.timestampText("max(j.created_at)")) AS last_sync
            FROM ghl_sources s
            LEFT JOIN ghl_sync_jobs j ON j.source_id = s.id AND j.created_at > now() - interval '30 days'
            GROUP BY s.id, s.name
            ORDER BY count(DISTINCT j.id) DESC, s.name
            """
        }
    }
}

extension PostgresStore {
    /// Runs a monitoring query: its column names, then each row's values (text or NULL).
    public func report(_ query: PostgresMonitoring) async throws -> (columns: [String], rows: [[StoreValue]]) {
        var columns: [String] = []
        var rows: [[StoreValue]] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: query.sql), logger: logger) {
            var values: [StoreValue] = []
            if columns.isEmpty { columns = row.map(\.columnName) }
            for cell in row { values.append(try cell.decode(String?.self).map(StoreValue.text) ?? .null) }
            rows.append(values)
        }
        return (columns, rows)
    }
}
