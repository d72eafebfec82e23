import GRDB

/// The versioned schema of a ghlsync file.
///
/// `v1` is the seed's schema: its nine tables and indexes. The reporting views
/// are derived objects, not migrations: `ReportingViews.install` brings them to
/// the current definitions every time a file is opened for writing.
/// `v2` adds what the embedded edition needs beyond the seed (its own users,
/// sync cursors, webhook receipts, per-source schedules and filters).
/// A file written by an older ghlsync is upgraded in place, in one transaction.
///
/// A registered migration is frozen: literal SQL that never reads today's
/// types (`Entity`, ...), so it creates what it created when it shipped. A
/// change of schema is a new migration, registered last; `SchemaSnapshotTests`
/// compares the result with the committed `Snapshots/schema.sql`.
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
        migrator.registerMigration("v6_agency_sources") { db in
            try addSourceCompany(db)
        }
        migrator.registerMigration("v6_changelog_log") { db in
            try createChangeLog(db)
        }
        migrator.registerMigration("v7_ids_by_source") { db in
            try findIdsBySource(db)
        }
        return migrator
    }

    /// The migrations a current file has, newest last.
    static var versions: [String] { migrator.migrations }

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
