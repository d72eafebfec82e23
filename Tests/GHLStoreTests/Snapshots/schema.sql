-- migration v1
-- migration v2
-- migration v3_sync
-- migration v3_auth
-- migration v4_filters
-- migration v4_view_indexes
-- migration v5_realtime_access_version
-- migration v5_hardening_source_job_numbers
-- migration v5_hardening_grants_of_users
-- migration v5_hardening_source_led_indexes
-- migration v6_agency_sources
-- index idx_auth_sessions_previous
CREATE INDEX idx_auth_sessions_previous ON auth_sessions(previous_token_hash);
-- index idx_auth_sessions_user
CREATE INDEX idx_auth_sessions_user ON auth_sessions(user_id);
-- index idx_ghl_contacts_ghl_id
CREATE INDEX idx_ghl_contacts_ghl_id ON ghl_contacts(ghl_contact_id);
-- index idx_ghl_contacts_row_updated
CREATE INDEX idx_ghl_contacts_row_updated ON ghl_contacts(source_id, updated_at);
-- index idx_ghl_contacts_source
CREATE INDEX idx_ghl_contacts_source ON ghl_contacts(source_id, deleted_at);
-- index idx_ghl_contacts_updated
CREATE INDEX idx_ghl_contacts_updated ON ghl_contacts(source_id, ghl_updated_at DESC);
-- index idx_ghl_opportunities_ghl_id
CREATE INDEX idx_ghl_opportunities_ghl_id ON ghl_opportunities(ghl_opportunity_id);
-- index idx_ghl_opportunities_live_stage
CREATE INDEX idx_ghl_opportunities_live_stage ON ghl_opportunities(source_id, deleted_at, pipeline_id, pipeline_stage_id, status, monetary_value);
-- index idx_ghl_opportunities_live_status
CREATE INDEX idx_ghl_opportunities_live_status ON ghl_opportunities(source_id, deleted_at, status, monetary_value, last_status_change_at, ghl_updated_at);
-- index idx_ghl_opportunities_row_updated
CREATE INDEX idx_ghl_opportunities_row_updated ON ghl_opportunities(source_id, updated_at);
-- index idx_ghl_opportunities_updated
CREATE INDEX idx_ghl_opportunities_updated ON ghl_opportunities(source_id, ghl_updated_at DESC);
-- index idx_ghl_orders_created
CREATE INDEX idx_ghl_orders_created ON ghl_orders(source_id, ghl_created_at);
-- index idx_ghl_orders_ghl_id
CREATE INDEX idx_ghl_orders_ghl_id ON ghl_orders(ghl_order_id);
-- index idx_ghl_orders_live_status
CREATE INDEX idx_ghl_orders_live_status ON ghl_orders(source_id, deleted_at, status, ghl_created_at, currency, amount);
-- index idx_ghl_orders_row_updated
CREATE INDEX idx_ghl_orders_row_updated ON ghl_orders(source_id, updated_at);
-- index idx_ghl_orders_updated
CREATE INDEX idx_ghl_orders_updated ON ghl_orders(source_id, ghl_updated_at DESC);
-- index idx_ghl_payments_created
CREATE INDEX idx_ghl_payments_created ON ghl_payments(source_id, ghl_created_at);
-- index idx_ghl_payments_ghl_id
CREATE INDEX idx_ghl_payments_ghl_id ON ghl_payments(ghl_payment_id);
-- index idx_ghl_payments_live_status
CREATE INDEX idx_ghl_payments_live_status ON ghl_payments(source_id, deleted_at, status, ghl_created_at, currency, amount, amount_refunded);
-- index idx_ghl_payments_row_updated
CREATE INDEX idx_ghl_payments_row_updated ON ghl_payments(source_id, updated_at);
-- index idx_ghl_payments_updated
CREATE INDEX idx_ghl_payments_updated ON ghl_payments(source_id, ghl_updated_at DESC);
-- index idx_ghl_pipelines_ghl_id
CREATE INDEX idx_ghl_pipelines_ghl_id ON ghl_pipelines(ghl_pipeline_id);
-- index idx_ghl_pipelines_row_updated
CREATE INDEX idx_ghl_pipelines_row_updated ON ghl_pipelines(source_id, updated_at);
-- index idx_ghl_pipelines_source
CREATE INDEX idx_ghl_pipelines_source ON ghl_pipelines(source_id, deleted_at);
-- index idx_ghl_pipelines_updated
CREATE INDEX idx_ghl_pipelines_updated ON ghl_pipelines(source_id, ghl_updated_at DESC);
-- index idx_ghl_reviews_created
CREATE INDEX idx_ghl_reviews_created ON ghl_reviews(source_id, ghl_created_at);
-- index idx_ghl_reviews_ghl_id
CREATE INDEX idx_ghl_reviews_ghl_id ON ghl_reviews(ghl_review_id);
-- index idx_ghl_reviews_live_rating
CREATE INDEX idx_ghl_reviews_live_rating ON ghl_reviews(source_id, deleted_at, rating, ghl_created_at);
-- index idx_ghl_reviews_row_updated
CREATE INDEX idx_ghl_reviews_row_updated ON ghl_reviews(source_id, updated_at);
-- index idx_ghl_reviews_updated
CREATE INDEX idx_ghl_reviews_updated ON ghl_reviews(source_id, ghl_updated_at DESC);
-- index idx_ghl_sources_company
CREATE INDEX idx_ghl_sources_company ON ghl_sources(company_id, location_id);
-- index idx_ghl_sync_jobs_created
CREATE INDEX idx_ghl_sync_jobs_created ON ghl_sync_jobs(source_id, created_at);
-- index idx_ghl_sync_jobs_source
CREATE INDEX idx_ghl_sync_jobs_source ON ghl_sync_jobs(source_id, job_type, id);
-- index idx_ghl_sync_jobs_source_number
CREATE UNIQUE INDEX idx_ghl_sync_jobs_source_number ON ghl_sync_jobs(source_id, source_job_number);
-- index idx_ghl_sync_jobs_status
CREATE INDEX idx_ghl_sync_jobs_status ON ghl_sync_jobs(source_id, status);
-- index idx_user_sources_source
CREATE INDEX idx_user_sources_source ON user_sources(source_id);
-- index idx_user_sources_user_source
CREATE INDEX idx_user_sources_user_source ON user_sources(user_id, source_id);
-- index idx_webhook_receipts_received
CREATE INDEX idx_webhook_receipts_received ON webhook_receipts(received_at);
-- table auth_grants_version
CREATE TABLE auth_grants_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
-- table auth_sessions
CREATE TABLE auth_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
, previous_token_hash TEXT);
-- table ghl_contacts
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
    deleted_at TEXT, deleted_reason TEXT,
    UNIQUE (source_id, ghl_contact_id)
);
-- table ghl_opportunities
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
    deleted_at TEXT, deleted_reason TEXT,
    UNIQUE (source_id, ghl_opportunity_id)
);
-- table ghl_orders
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
    deleted_at TEXT, deleted_reason TEXT,
    UNIQUE (source_id, ghl_order_id)
);
-- table ghl_payments
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
    deleted_at TEXT, deleted_reason TEXT,
    UNIQUE (source_id, ghl_payment_id)
);
-- table ghl_pipelines
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
    deleted_at TEXT, deleted_reason TEXT,
    UNIQUE (source_id, ghl_pipeline_id)
);
-- table ghl_reviews
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
    deleted_at TEXT, deleted_reason TEXT,
    UNIQUE (source_id, ghl_review_id)
);
-- table ghl_sources
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
, sync_interval_seconds INTEGER, sync_mode TEXT NOT NULL DEFAULT 'incremental', filters TEXT, company_id TEXT);
-- table ghl_sync_jobs
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
, run_id TEXT, records_skipped INTEGER NOT NULL DEFAULT 0, notes TEXT, source_job_number INTEGER);
-- table sync_cursors
CREATE TABLE sync_cursors (
    source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    cursor TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source_id, entity)
);
-- table sync_leases
CREATE TABLE sync_leases (
    source_id TEXT PRIMARY KEY NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
    owner TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
-- table sync_seen
CREATE TABLE sync_seen (
    source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    ghl_id TEXT NOT NULL,
    PRIMARY KEY (source_id, entity, ghl_id)
) WITHOUT ROWID;
-- table user_sources
CREATE TABLE "user_sources" (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL REFERENCES ghl_sources(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, source_id)
);
-- table users
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT,
    created_at TEXT NOT NULL
);
-- table webhook_receipts
CREATE TABLE webhook_receipts (
    webhook_id TEXT PRIMARY KEY NOT NULL,
    source_id TEXT REFERENCES ghl_sources(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    received_at TEXT NOT NULL
);
-- trigger auth_sessions_version_delete
CREATE TRIGGER auth_sessions_version_delete AFTER DELETE ON auth_sessions
BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
-- trigger auth_sessions_version_revoke
CREATE TRIGGER auth_sessions_version_revoke AFTER UPDATE OF revoked_at ON auth_sessions
WHEN NEW.revoked_at IS NOT OLD.revoked_at
BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
-- trigger ghl_sync_jobs_source_number
CREATE TRIGGER ghl_sync_jobs_source_number AFTER INSERT ON ghl_sync_jobs WHEN NEW.source_job_number IS NULL
BEGIN
    UPDATE ghl_sync_jobs SET source_job_number =
        (SELECT COALESCE(MAX(source_job_number), 0) + 1 FROM ghl_sync_jobs WHERE source_id = NEW.source_id)
    WHERE id = NEW.id;
END;
-- trigger user_sources_version_delete
CREATE TRIGGER user_sources_version_delete AFTER DELETE ON user_sources
BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
-- trigger user_sources_version_insert
CREATE TRIGGER user_sources_version_insert AFTER INSERT ON user_sources
BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
-- trigger user_sources_version_update
CREATE TRIGGER user_sources_version_update AFTER UPDATE ON user_sources
BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
-- trigger users_version_delete
CREATE TRIGGER users_version_delete AFTER DELETE ON users
BEGIN UPDATE auth_grants_version SET version = version + 1 WHERE id = 1; END;
