/// `pg_v5_change_ids`, frozen: `ghlsync_changes` rows numbered by one identity
/// in insertion order, so that the row bound's cut-off is the newest id minus
/// the bound (an index's last entry), not a walk over a million index entries
/// every time the log is pruned near its bound.
enum PostgresSchemaV5ChangeIds {
    static let statements: [String] = [
        "ALTER TABLE ghlsync_changes ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY",
        "CREATE INDEX idx_ghlsync_changes_id ON ghlsync_changes (id)",
    ]
}
