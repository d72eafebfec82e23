import GHLStore
import PostgresNIO

/// `status`'s change-log figures on PostgreSQL: `ghlsync_changes`' rows, its
/// first and last change, and its size on disk. Its bounds are each server's
/// (`serve --change-log-rows/--change-log-hours`), not the database's.
public struct PostgresChangeLogStatus: Sendable {
    public var rows: Int
    /// The table's and its indexes' pages (`pg_total_relation_size`).
    public var bytes: Int
    public var oldest: String?
    public var newest: String?
}

extension PostgresStore {
    public func changeLogStatus() async throws -> PostgresChangeLogStatus {
        let rows = try await client.query("""
            SELECT count(*),
                   (SELECT \(unescaped: Self.timestampText("created_at")) FROM ghlsync_changes ORDER BY id LIMIT 1),
                   (SELECT \(unescaped: Self.timestampText("created_at")) FROM ghlsync_changes ORDER BY id DESC LIMIT 1),
                   pg_total_relation_size('ghlsync_changes')
            FROM ghlsync_changes
            """, logger: logger)
        for try await (count, oldest, newest, bytes) in rows.decode((Int64, String?, String?, Int64).self) {
            return PostgresChangeLogStatus(rows: Int(count), bytes: Int(bytes), oldest: oldest, newest: newest)
        }
        return PostgresChangeLogStatus(rows: 0, bytes: 0, oldest: nil, newest: nil)
    }
}
