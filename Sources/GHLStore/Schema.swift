import GRDB

/// The versioned schema of a ghlsync file.
///
/// `v1` is the seed's schema: its nine tables and indexes. The reporting views
/// are derived objects, not migrations: `ReportingViews.install` brings them to
/// the current definitions every time a file is opened for writing.
/// `v2` adds what the embedded edition needs beyond the seed (its own users,
/// sync cursors, webhook receipts, per-source schedules and filters).
/// A file written by an older ghlsync is upgraded in place, in one transaction.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try createSeedTables(db)
        }
        migrator.registerMigration("v2") { db in
            try createProductTables(db)
        }
        migrator.registerMigration("v3_sync") { db in
            try createSyncTables(db)
        }
        migrator.registerMigration("v3_auth") { db in
            try createAuthTables(db)
        }
        migrator.registerMigration("v4_filters") { db in
            try addDeletedReason(db)
        }
        migrator.registerMigration("v4_view_indexes") { db in
            try createViewIndexes(db)
        }
        migrator.registerMigration("v5_realtime_access_version") { db in
            try countSessionEnds(db)
        }
        migrator.registerMigration("v5_hardening_source_job_numbers") { db in
            try addSourceJobNumbers(db)
        }
        migrator.registerMigration("v5_hardening_grants_of_users") { db in
            try addGrantUserForeignKey(db)
        }
        migrator.registerMigration("v5_hardening_source_led_indexes") { db in
            try leadIndexesWithSource(db)
        }
        migrator.registerMigration("v6_changelog_log") { db in
            try createChangeLog(db)
        }
        return migrator
    }

    /// The migrations a current file has, newest last.
    static var versions: [String] { migrator.migrations }

    private static func createSeedTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE ghl_sources (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                location_id TEXT NOT NULL,
                api_base TEXT NOT NULL,
                token_env TEXT,
                token_file TEXT,
                currency TEXT NOT NULL DEFAULT 'USD',
                is_active INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE user_sources (
                user_id TEXT NOT NULL,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
                created_at TEXT NOT NULL,
                PRIMARY KEY (user_id, source_id)
            );
            CREATE INDEX idx_user_sources_user_source ON user_sources(user_id, source_id);
            CREATE INDEX idx_user_sources_source ON user_sources(source_id);
            CREATE TABLE ghl_sync_jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                job_type TEXT NOT NULL,
                mode TEXT NOT NULL DEFAULT 'full',
                status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
                records_processed INTEGER NOT NULL DEFAULT 0,
                pages INTEGER NOT NULL DEFAULT 0,
                requests INTEGER NOT NULL DEFAULT 0,
                records_total INTEGER,
                error TEXT,
                started_at TEXT NOT NULL,
                completed_at TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX idx_ghl_sync_jobs_source ON ghl_sync_jobs(source_id, job_type, id);
            CREATE INDEX idx_ghl_sync_jobs_created ON ghl_sync_jobs(created_at);
            """)
        for entity in Entity.allCases {
            try createEntityTable(entity, db)
        }
        try db.execute(sql: """
            CREATE INDEX idx_ghl_opportunities_stage
                ON ghl_opportunities(source_id, pipeline_id, pipeline_stage_id, status, monetary_value);
            CREATE INDEX idx_ghl_opportunities_status ON ghl_opportunities(source_id, status);
            CREATE INDEX idx_ghl_orders_created ON ghl_orders(source_id, ghl_created_at);
            CREATE INDEX idx_ghl_payments_created ON ghl_payments(source_id, ghl_created_at);
            CREATE INDEX idx_ghl_reviews_created ON ghl_reviews(source_id, ghl_created_at);
            """)
    }

    /// Columns every entity table shares; typed columns come from `Entity.columns`.
    private static func createEntityTable(_ entity: Entity, _ db: Database) throws {
        let typed = entity.columns.map { "\($0.name) \($0.sqlType)," }.joined(separator: "\n    ")
        let t = entity.table
        try db.execute(sql: """
            CREATE TABLE \(t) (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                \(entity.idColumn) TEXT NOT NULL,
                \(typed)
                raw TEXT NOT NULL,
                ghl_created_at TEXT,
                ghl_updated_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                synced_at TEXT NOT NULL,
                deleted_at TEXT,
                UNIQUE (source_id, \(entity.idColumn))
            );
            CREATE INDEX idx_\(t)_source ON \(t)(source_id, deleted_at);
            CREATE INDEX idx_\(t)_ghl_id ON \(t)(\(entity.idColumn));
            CREATE INDEX idx_\(t)_updated ON \(t)(source_id, ghl_updated_at DESC);
            CREATE INDEX idx_\(t)_row_updated ON \(t)(updated_at);
            """)
    }

    private static func createProductTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE users (
                id TEXT PRIMARY KEY NOT NULL,
                email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                password_hash TEXT,
                created_at TEXT NOT NULL
            );
            CREATE TABLE auth_sessions (
                id TEXT PRIMARY KEY NOT NULL,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE INDEX idx_auth_sessions_user ON auth_sessions(user_id);
            CREATE TABLE sync_cursors (
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                entity TEXT NOT NULL,
                cursor TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (source_id, entity)
            );
            CREATE TABLE webhook_receipts (
                webhook_id TEXT PRIMARY KEY NOT NULL,
                source_id TEXT REFERENCES ghl_sources(id) ON DELETE CASCADE,
                event_type TEXT NOT NULL,
                received_at TEXT NOT NULL
            );
            CREATE INDEX idx_webhook_receipts_received ON webhook_receipts(received_at);
            ALTER TABLE ghl_sources ADD COLUMN sync_interval_seconds INTEGER;
            ALTER TABLE ghl_sources ADD COLUMN sync_mode TEXT NOT NULL DEFAULT 'incremental';
            ALTER TABLE ghl_sources ADD COLUMN filters TEXT;
            """)
    }
}
