import GRDB

extension Schema {
    /// `v6_changelog_log`: the change log, durable in the file.
    ///
    /// Triggers stored in the file (not TEMP) append every row change of the
    /// broadcast tables to `ghl_change_log` inside the writer's own transaction,
    /// whoever the writer is: this process, a CLI sync, another `serve`, the
    /// sqlite3 CLI. A rollback discards the rows with the data. `id` is commit
    /// order (SQLite has one writer at a time); `seq` numbers each source's
    /// (topic's) changes from 1, kept in `ghl_change_topics` so pruning never
    /// makes a number come back. `ghl_change_log_bounds` holds the log's
    /// bounds, which `serve` prunes it to and `ghlsync status` shows.
    static func createChangeLog(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE ghl_change_log (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                tbl TEXT NOT NULL,
                op TEXT NOT NULL,
                old TEXT,
                new TEXT,
                ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );
            CREATE UNIQUE INDEX idx_ghl_change_log_topic ON ghl_change_log(source_id, seq);
            CREATE TABLE ghl_change_topics (
                source_id TEXT PRIMARY KEY NOT NULL,
                last_seq INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE ghl_change_log_bounds (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                max_age_seconds INTEGER NOT NULL,
                max_rows INTEGER NOT NULL
            );
            INSERT INTO ghl_change_log_bounds (id, max_age_seconds, max_rows) VALUES (1, 259200, 1000000);
            """)
        for table in ChangeCapture.tables {
            try ChangeCapture.createTriggers(on: table, db)
        }
    }
}
