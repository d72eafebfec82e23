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
            \(grantsVersionTriggers)
            UPDATE auth_grants_version SET version = version + 1 WHERE id = 1;
            """)
    }
}
