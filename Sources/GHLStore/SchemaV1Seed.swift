import GRDB

extension Schema {
    /// `v1`: the seed's schema, its nine tables and their indexes, as the
    /// first release created them. Frozen: the entity tables are spelled out
    /// rather than built from `Entity`, so a change to today's types can never
    /// change what an old migration creates.
    static func createSeedTables(_ db: Database) throws {
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
            CREATE TABLE ghl_contacts (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                ghl_contact_id TEXT NOT NULL,
                first_name TEXT,
                last_name TEXT,
                contact_name TEXT,
                email TEXT,
                phone TEXT,
                company_name TEXT,
                source TEXT,
                contact_type TEXT,
                assigned_to TEXT,
                city TEXT,
                state TEXT,
                country TEXT,
                tags TEXT,
                dnd INTEGER,
                raw TEXT NOT NULL,
                ghl_created_at TEXT,
                ghl_updated_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                synced_at TEXT NOT NULL,
                deleted_at TEXT,
                UNIQUE (source_id, ghl_contact_id)
            );
            CREATE INDEX idx_ghl_contacts_source ON ghl_contacts(source_id, deleted_at);
            CREATE INDEX idx_ghl_contacts_ghl_id ON ghl_contacts(ghl_contact_id);
            CREATE INDEX idx_ghl_contacts_updated ON ghl_contacts(source_id, ghl_updated_at DESC);
            CREATE INDEX idx_ghl_contacts_row_updated ON ghl_contacts(updated_at);
            CREATE TABLE ghl_opportunities (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                ghl_opportunity_id TEXT NOT NULL,
                name TEXT,
                pipeline_id TEXT,
                pipeline_stage_id TEXT,
                status TEXT,
                monetary_value REAL,
                contact_id TEXT,
                assigned_to TEXT,
                source TEXT,
                last_status_change_at TEXT,
                last_stage_change_at TEXT,
                raw TEXT NOT NULL,
                ghl_created_at TEXT,
                ghl_updated_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                synced_at TEXT NOT NULL,
                deleted_at TEXT,
                UNIQUE (source_id, ghl_opportunity_id)
            );
            CREATE INDEX idx_ghl_opportunities_source ON ghl_opportunities(source_id, deleted_at);
            CREATE INDEX idx_ghl_opportunities_ghl_id ON ghl_opportunities(ghl_opportunity_id);
            CREATE INDEX idx_ghl_opportunities_updated ON ghl_opportunities(source_id, ghl_updated_at DESC);
            CREATE INDEX idx_ghl_opportunities_row_updated ON ghl_opportunities(updated_at);
            CREATE TABLE ghl_pipelines (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                ghl_pipeline_id TEXT NOT NULL,
                name TEXT,
                stages TEXT,
                raw TEXT NOT NULL,
                ghl_created_at TEXT,
                ghl_updated_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                synced_at TEXT NOT NULL,
                deleted_at TEXT,
                UNIQUE (source_id, ghl_pipeline_id)
            );
            CREATE INDEX idx_ghl_pipelines_source ON ghl_pipelines(source_id, deleted_at);
            CREATE INDEX idx_ghl_pipelines_ghl_id ON ghl_pipelines(ghl_pipeline_id);
            CREATE INDEX idx_ghl_pipelines_updated ON ghl_pipelines(source_id, ghl_updated_at DESC);
            CREATE INDEX idx_ghl_pipelines_row_updated ON ghl_pipelines(updated_at);
            CREATE TABLE ghl_orders (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                ghl_order_id TEXT NOT NULL,
                contact_id TEXT,
                contact_name TEXT,
                contact_email TEXT,
                currency TEXT,
                amount REAL,
                status TEXT,
                source_type TEXT,
                fulfillment_status TEXT,
                live_mode INTEGER,
                raw TEXT NOT NULL,
                ghl_created_at TEXT,
                ghl_updated_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                synced_at TEXT NOT NULL,
                deleted_at TEXT,
                UNIQUE (source_id, ghl_order_id)
            );
            CREATE INDEX idx_ghl_orders_source ON ghl_orders(source_id, deleted_at);
            CREATE INDEX idx_ghl_orders_ghl_id ON ghl_orders(ghl_order_id);
            CREATE INDEX idx_ghl_orders_updated ON ghl_orders(source_id, ghl_updated_at DESC);
            CREATE INDEX idx_ghl_orders_row_updated ON ghl_orders(updated_at);
            CREATE TABLE ghl_payments (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                ghl_payment_id TEXT NOT NULL,
                contact_id TEXT,
                contact_name TEXT,
                contact_email TEXT,
                currency TEXT,
                amount REAL,
                amount_refunded REAL,
                status TEXT,
                entity_type TEXT,
                entity_id TEXT,
                payment_provider TEXT,
                live_mode INTEGER,
                raw TEXT NOT NULL,
                ghl_created_at TEXT,
                ghl_updated_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                synced_at TEXT NOT NULL,
                deleted_at TEXT,
                UNIQUE (source_id, ghl_payment_id)
            );
            CREATE INDEX idx_ghl_payments_source ON ghl_payments(source_id, deleted_at);
            CREATE INDEX idx_ghl_payments_ghl_id ON ghl_payments(ghl_payment_id);
            CREATE INDEX idx_ghl_payments_updated ON ghl_payments(source_id, ghl_updated_at DESC);
            CREATE INDEX idx_ghl_payments_row_updated ON ghl_payments(updated_at);
            CREATE TABLE ghl_reviews (
                id INTEGER PRIMARY KEY,
                source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
                ghl_review_id TEXT NOT NULL,
                product_id TEXT,
                rating REAL,
                headline TEXT,
                detail TEXT,
                status TEXT,
                reviewer_name TEXT,
                reviewer_email TEXT,
                raw TEXT NOT NULL,
                ghl_created_at TEXT,
                ghl_updated_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                synced_at TEXT NOT NULL,
                deleted_at TEXT,
                UNIQUE (source_id, ghl_review_id)
            );
            CREATE INDEX idx_ghl_reviews_source ON ghl_reviews(source_id, deleted_at);
            CREATE INDEX idx_ghl_reviews_ghl_id ON ghl_reviews(ghl_review_id);
            CREATE INDEX idx_ghl_reviews_updated ON ghl_reviews(source_id, ghl_updated_at DESC);
            CREATE INDEX idx_ghl_reviews_row_updated ON ghl_reviews(updated_at);
            CREATE INDEX idx_ghl_opportunities_stage
                ON ghl_opportunities(source_id, pipeline_id, pipeline_stage_id, status, monetary_value);
            CREATE INDEX idx_ghl_opportunities_status ON ghl_opportunities(source_id, status);
            CREATE INDEX idx_ghl_orders_created ON ghl_orders(source_id, ghl_created_at);
            CREATE INDEX idx_ghl_payments_created ON ghl_payments(source_id, ghl_created_at);
            CREATE INDEX idx_ghl_reviews_created ON ghl_reviews(source_id, ghl_created_at);
            """)
    }
}
