import GRDB

extension Schema {
    /// `v3_sync`: what the sync engine needs to resume and to detect deletions.
    ///
    /// - `sync_seen`: the GHL ids a full run has committed so far, per source and
    ///   entity. Written in the same transaction as each page, so a run killed and
    ///   resumed still knows every id it saw and can soft-delete the rest at the end.
    /// - `sync_leases`: at most one run per source across processes (CLI and server
    ///   on the same file). A lease names its owner (`host:pid:run`) and is renewed
    ///   with every committed page; a dead owner's lease is taken over.
    /// - `ghl_sync_jobs.run_id` groups the jobs of one run; `records_skipped` and
    ///   `notes` report malformed records a completed job skipped.
    static func createSyncTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE sync_seen (
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                entity TEXT NOT NULL,
                ghl_id TEXT NOT NULL,
                PRIMARY KEY (source_id, entity, ghl_id)
            ) WITHOUT ROWID;
            CREATE TABLE sync_leases (
                source_id TEXT PRIMARY KEY NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                owner TEXT NOT NULL,
                acquired_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL
            );
            ALTER TABLE ghl_sync_jobs ADD COLUMN run_id TEXT;
            ALTER TABLE ghl_sync_jobs ADD COLUMN records_skipped INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE ghl_sync_jobs ADD COLUMN notes TEXT;
            CREATE INDEX idx_ghl_sync_jobs_status ON ghl_sync_jobs(source_id, status);
            """)
    }
}
