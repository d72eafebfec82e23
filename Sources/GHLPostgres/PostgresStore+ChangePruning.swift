import GHLStore
import PostgresNIO

/// Keeps `ghlsync_changes` within the bounds the SQLite change log keeps: no
/// change older than `maxAgeSeconds`, no more than `maxRows` (the oldest go
/// first). The log's size in bytes is not bounded here: a deleted row's space
/// is reused by PostgreSQL rather than given back, so the row bound stands for it.
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
        // The planner's estimate first (-1 before the table's first analysis), so that a
        // log well within its bound costs no walk over its rows.
        let estimate = try await count("SELECT reltuples::bigint FROM pg_class WHERE oid = 'ghlsync_changes'::regclass")
        if estimate < 0 || estimate > bounds.maxRows {
            pruned += try await count("""
                WITH gone AS (
                    DELETE FROM ghlsync_changes WHERE ctid = ANY(ARRAY(
                        SELECT ctid FROM ghlsync_changes ORDER BY created_at DESC OFFSET \(bounds.maxRows) LIMIT \(batch)))
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
