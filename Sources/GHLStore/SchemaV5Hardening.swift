import GRDB

extension Schema {
    /// `v5_hardening_source_job_numbers`: each source numbers its own sync jobs.
    ///
    /// `ghl_sync_jobs.id` is one AUTOINCREMENT for every source, so a viewer of
    /// one source reading its job ids would learn how many jobs the others ran.
    /// Scoped reads (and the realtime payloads, and the functions' answers)
    /// show `source_job_number` as the job's id instead. The sync engine
    /// numbers the jobs it starts; the trigger numbers any other writer's.
    static func addSourceJobNumbers(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE ghl_sync_jobs ADD COLUMN source_job_number INTEGER;
            UPDATE ghl_sync_jobs SET source_job_number = numbered.n
            FROM (SELECT id AS job, row_number() OVER (PARTITION BY source_id ORDER BY id) AS n FROM ghl_sync_jobs) AS numbered
            WHERE ghl_sync_jobs.id = numbered.job;
            CREATE UNIQUE INDEX idx_ghl_sync_jobs_source_number ON ghl_sync_jobs(source_id, source_job_number);
            CREATE TRIGGER ghl_sync_jobs_source_number AFTER INSERT ON ghl_sync_jobs WHEN NEW.source_job_number IS NULL
            BEGIN
                UPDATE ghl_sync_jobs SET source_job_number =
                    (SELECT COALESCE(MAX(source_job_number), 0) + 1 FROM ghl_sync_jobs WHERE source_id = NEW.source_id)
                WHERE id = NEW.id;
            END;
            """)
    }

    /// `v5_hardening_grants_of_users`: `user_sources.user_id` references
    /// `users`, so deleting a user deletes their grants (and a grant cannot
    /// name a user who does not exist). SQLite adds a foreign key only by
    /// rebuilding the table; grants of users that no longer exist are dropped
    /// on the way, and the grants version moves so live connections re-check.
    /// The rebuild drops the table's triggers, so the ones `v3_auth` made are
    /// created again, spelled out as that migration spelled them.
    static func addGrantUserForeignKey(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE user_sources_v5 (
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
                created_at TEXT NOT NULL,
                PRIMARY KEY (user_id, source_id)
            );
            INSERT INTO user_sources_v5 (user_id, source_id, role, created_at)
            SELECT user_id, source_id, role, created_at FROM user_sources WHERE user_id IN (SELECT id FROM users);
            DROP TABLE user_sources;
            ALTER TABLE user_sources_v5 RENAME TO user_sources;
            CREATE INDEX idx_user_sources_user_source ON user_sources(user_id, source_id);
            CREATE INDEX idx_user_sources_source ON user_sources(source_id);
            CREATE TRIGGER user_sources_version_insert AFTER INSERT ON user_sources
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            CREATE TRIGGER user_sources_version_update AFTER UPDATE ON user_sources
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            CREATE TRIGGER user_sources_version_delete AFTER DELETE ON user_sources
            BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
            UPDATE auth_grants_version SET version = version + 1 WHERE id = 1;
            """)
    }
}

extension Schema {
    /// `v5_hardening_source_led_indexes`: the indexes on `updated_at` and on
    /// a job's `created_at` lead with `source_id`.
    ///
    /// SQLite tests the terms an index covers before the scope's filter, so a
    /// scoped statement reading an index that spans every source would run its
    /// expressions on other sources' rows; scoped reads refuse such plans. Led
    /// by `source_id`, these indexes serve scoped reads (`ORDER BY updated_at`)
    /// again, and the sync's own lookups, which name their source, as before.
    static func leadIndexesWithSource(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX idx_ghl_contacts_row_updated;
            CREATE INDEX idx_ghl_contacts_row_updated ON ghl_contacts(source_id, updated_at);
            DROP INDEX idx_ghl_opportunities_row_updated;
            CREATE INDEX idx_ghl_opportunities_row_updated ON ghl_opportunities(source_id, updated_at);
            DROP INDEX idx_ghl_pipelines_row_updated;
            CREATE INDEX idx_ghl_pipelines_row_updated ON ghl_pipelines(source_id, updated_at);
            DROP INDEX idx_ghl_orders_row_updated;
            CREATE INDEX idx_ghl_orders_row_updated ON ghl_orders(source_id, updated_at);
            DROP INDEX idx_ghl_payments_row_updated;
            CREATE INDEX idx_ghl_payments_row_updated ON ghl_payments(source_id, updated_at);
            DROP INDEX idx_ghl_reviews_row_updated;
            CREATE INDEX idx_ghl_reviews_row_updated ON ghl_reviews(source_id, updated_at);
            DROP INDEX idx_ghl_sync_jobs_created;
            CREATE INDEX idx_ghl_sync_jobs_created ON ghl_sync_jobs(source_id, created_at);
            """)
    }
}
