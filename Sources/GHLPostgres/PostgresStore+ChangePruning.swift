import GHLStore
import PostgresNIO

/// Keeps `ghlsync_changes` within the bounds the SQLite change log keeps: no
/// change older than `maxAgeSeconds`, no more than `maxRows` (the first
/// inserted go first). The log's size in bytes is not bounded here: a deleted
/// row's space is reused by PostgreSQL rather than given back, so the row
/// bound stands for it.
extension PostgresStore {
    /// Deletes up to `batch` changes past each bound; returns how many went.
    /// Every `serve` on the database may call it: the deletes do not conflict.
    public func pruneChanges(_ bounds: ChangeLogBounds, batch: Int = 10_000) async throws -> Int {
        var pruned = try await count("""
            WITH gone AS (
                DELETE FROM ghlsync_changes WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM ghlsync_changes
                    WHERE created_at < now() - make_interval(secs => \(Double(bounds.maxAgeSeconds))) LIMIT \(batch)))
                RETURNING 1)
            SELECT count(*) FROM gone
            """)
        // The row bound's cut-off from the newest id (`pg_v5_change_ids`): ids come from one
        // sequence, dense but for rolled-back inserts' gaps, which only make the log keep fewer rows.
        let cutoff = try await count("SELECT COALESCE(max(id), 0) - \(bounds.maxRows) FROM ghlsync_changes")
        if cutoff > 0 {
            pruned += try await count("""
                WITH gone AS (
                    DELETE FROM ghlsync_changes WHERE ctid = ANY(ARRAY(
                        SELECT ctid FROM ghlsync_changes WHERE id <= \(cutoff) LIMIT \(batch)))
                    RETURNING 1)
                SELECT count(*) FROM gone
                """)
        }
        return pruned
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        for try await value in try await client.query(query, logger: logger).decode(Int64.self) { return Int(value) }
        return 0
    }
}
