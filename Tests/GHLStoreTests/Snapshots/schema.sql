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
-- migration v6_changelog_log
-- migration v7_ids_by_source
-- index idx_auth_sessions_previous
CREATE INDEX idx_auth_sessions_previous ON auth_sessions(previous_token_hash);
-- index idx_auth_sessions_user
CREATE INDEX idx_auth_sessions_user ON auth_sessions(user_id);
-- index idx_ghl_change_log_topic
CREATE UNIQUE INDEX idx_ghl_change_log_topic ON ghl_change_log(source_id, seq);
-- index idx_ghl_contacts_row_updated
CREATE INDEX idx_ghl_contacts_row_updated ON ghl_contacts(source_id, updated_at);
-- index idx_ghl_contacts_source
CREATE INDEX idx_ghl_contacts_source ON ghl_contacts(source_id, deleted_at);
-- index idx_ghl_contacts_updated
CREATE INDEX idx_ghl_contacts_updated ON ghl_contacts(source_id, ghl_updated_at DESC);
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
-- index idx_ghl_orders_live_status
CREATE INDEX idx_ghl_orders_live_status ON ghl_orders(source_id, deleted_at, status, ghl_created_at, currency, amount);
-- index idx_ghl_orders_row_updated
CREATE INDEX idx_ghl_orders_row_updated ON ghl_orders(source_id, updated_at);
-- index idx_ghl_orders_updated
CREATE INDEX idx_ghl_orders_updated ON ghl_orders(source_id, ghl_updated_at DESC);
-- index idx_ghl_payments_created
CREATE INDEX idx_ghl_payments_created ON ghl_payments(source_id, ghl_created_at);
-- index idx_ghl_payments_live_status
CREATE INDEX idx_ghl_payments_live_status ON ghl_payments(source_id, deleted_at, status, ghl_created_at, currency, amount, amount_refunded);
-- index idx_ghl_payments_row_updated
CREATE INDEX idx_ghl_payments_row_updated ON ghl_payments(source_id, updated_at);
-- index idx_ghl_payments_updated
CREATE INDEX idx_ghl_payments_updated ON ghl_payments(source_id, ghl_updated_at DESC);
-- index idx_ghl_pipelines_row_updated
CREATE INDEX idx_ghl_pipelines_row_updated ON ghl_pipelines(source_id, updated_at);
-- index idx_ghl_pipelines_source
CREATE INDEX idx_ghl_pipelines_source ON ghl_pipelines(source_id, deleted_at);
-- index idx_ghl_pipelines_updated
CREATE INDEX idx_ghl_pipelines_updated ON ghl_pipelines(source_id, ghl_updated_at DESC);
-- index idx_ghl_reviews_created
CREATE INDEX idx_ghl_reviews_created ON ghl_reviews(source_id, ghl_created_at);
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
-- table ghl_change_log
CREATE TABLE ghl_change_log (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    tbl INTEGER NOT NULL,
    op TEXT NOT NULL,
    rec INTEGER,
    key,
    old TEXT,
    ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- table ghl_change_log_bounds
CREATE TABLE ghl_change_log_bounds (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    max_age_seconds INTEGER NOT NULL,
    max_rows INTEGER NOT NULL,
    max_bytes INTEGER NOT NULL
);
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
-- trigger ghl_change_log_ghl_contacts_delete
CREATE TRIGGER ghl_change_log_ghl_contacts_delete AFTER DELETE ON ghl_contacts
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 3,
            'DELETE', OLD.id, OLD.ghl_contact_id);
END;
-- trigger ghl_change_log_ghl_contacts_insert
CREATE TRIGGER ghl_change_log_ghl_contacts_insert AFTER INSERT ON ghl_contacts
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 3,
            'INSERT', NEW.id, NEW.ghl_contact_id);
END;
-- trigger ghl_change_log_ghl_contacts_update
CREATE TRIGGER ghl_change_log_ghl_contacts_update AFTER UPDATE ON ghl_contacts
    WHEN (OLD.deleted_at IS NULL OR NEW.deleted_at IS NULL)
        AND NOT (OLD.source_id IS NEW.source_id
            AND OLD.ghl_contact_id IS NEW.ghl_contact_id
            AND OLD.first_name IS NEW.first_name
            AND OLD.last_name IS NEW.last_name
            AND OLD.contact_name IS NEW.contact_name
            AND OLD.email IS NEW.email
            AND OLD.phone IS NEW.phone
            AND OLD.company_name IS NEW.company_name
            AND OLD.source IS NEW.source
            AND OLD.contact_type IS NEW.contact_type
            AND OLD.assigned_to IS NEW.assigned_to
            AND OLD.city IS NEW.city
            AND OLD.state IS NEW.state
            AND OLD.country IS NEW.country
            AND OLD.tags IS NEW.tags
            AND OLD.dnd IS NEW.dnd
            AND OLD.ghl_created_at IS NEW.ghl_created_at
            AND coalesce(NEW.ghl_updated_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.ghl_updated_at, '+5 seconds'), 0)
            AND OLD.created_at IS NEW.created_at
            AND OLD.deleted_at IS NEW.deleted_at
            AND OLD.deleted_reason IS NEW.deleted_reason)
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key, old)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 3,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'DELETE' WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'INSERT' ELSE 'UPDATE' END, NEW.id, NEW.ghl_contact_id,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NULL THEN json_object('id', OLD.ghl_contact_id, 'source_id', OLD.source_id, 'ghl_contact_id', OLD.ghl_contact_id, 'first_name', OLD.first_name, 'last_name', OLD.last_name, 'contact_name', OLD.contact_name, 'email', OLD.email, 'phone', OLD.phone, 'company_name', OLD.company_name, 'source', OLD.source, 'contact_type', OLD.contact_type, 'assigned_to', OLD.assigned_to, 'city', OLD.city, 'state', OLD.state, 'country', OLD.country, 'tags', OLD.tags, 'dnd', OLD.dnd, 'raw', json(OLD.raw), 'ghl_created_at', OLD.ghl_created_at, 'ghl_updated_at', OLD.ghl_updated_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'synced_at', OLD.synced_at, 'deleted_at', OLD.deleted_at, 'deleted_reason', OLD.deleted_reason) END);
END;
-- trigger ghl_change_log_ghl_opportunities_delete
CREATE TRIGGER ghl_change_log_ghl_opportunities_delete AFTER DELETE ON ghl_opportunities
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 4,
            'DELETE', OLD.id, OLD.ghl_opportunity_id);
END;
-- trigger ghl_change_log_ghl_opportunities_insert
CREATE TRIGGER ghl_change_log_ghl_opportunities_insert AFTER INSERT ON ghl_opportunities
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 4,
            'INSERT', NEW.id, NEW.ghl_opportunity_id);
END;
-- trigger ghl_change_log_ghl_opportunities_update
CREATE TRIGGER ghl_change_log_ghl_opportunities_update AFTER UPDATE ON ghl_opportunities
    WHEN (OLD.deleted_at IS NULL OR NEW.deleted_at IS NULL)
        AND NOT (OLD.source_id IS NEW.source_id
            AND OLD.ghl_opportunity_id IS NEW.ghl_opportunity_id
            AND OLD.name IS NEW.name
            AND OLD.pipeline_id IS NEW.pipeline_id
            AND OLD.pipeline_stage_id IS NEW.pipeline_stage_id
            AND OLD.status IS NEW.status
            AND OLD.monetary_value IS NEW.monetary_value
            AND OLD.contact_id IS NEW.contact_id
            AND OLD.assigned_to IS NEW.assigned_to
            AND OLD.source IS NEW.source
            AND (OLD.last_status_change_at IS NEW.last_status_change_at OR NEW.last_status_change_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.last_status_change_at, '+5 seconds'))
            AND (OLD.last_stage_change_at IS NEW.last_stage_change_at OR NEW.last_stage_change_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.last_stage_change_at, '+5 seconds'))
            AND OLD.ghl_created_at IS NEW.ghl_created_at
            AND coalesce(NEW.ghl_updated_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.ghl_updated_at, '+5 seconds'), 0)
            AND OLD.created_at IS NEW.created_at
            AND OLD.deleted_at IS NEW.deleted_at
            AND OLD.deleted_reason IS NEW.deleted_reason)
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key, old)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 4,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'DELETE' WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'INSERT' ELSE 'UPDATE' END, NEW.id, NEW.ghl_opportunity_id,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NULL THEN json_object('id', OLD.ghl_opportunity_id, 'source_id', OLD.source_id, 'ghl_opportunity_id', OLD.ghl_opportunity_id, 'name', OLD.name, 'pipeline_id', OLD.pipeline_id, 'pipeline_stage_id', OLD.pipeline_stage_id, 'status', OLD.status, 'monetary_value', OLD.monetary_value, 'contact_id', OLD.contact_id, 'assigned_to', OLD.assigned_to, 'source', OLD.source, 'last_status_change_at', OLD.last_status_change_at, 'last_stage_change_at', OLD.last_stage_change_at, 'raw', json(OLD.raw), 'ghl_created_at', OLD.ghl_created_at, 'ghl_updated_at', OLD.ghl_updated_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'synced_at', OLD.synced_at, 'deleted_at', OLD.deleted_at, 'deleted_reason', OLD.deleted_reason) END);
END;
-- trigger ghl_change_log_ghl_orders_delete
CREATE TRIGGER ghl_change_log_ghl_orders_delete AFTER DELETE ON ghl_orders
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 6,
            'DELETE', OLD.id, OLD.ghl_order_id);
END;
-- trigger ghl_change_log_ghl_orders_insert
CREATE TRIGGER ghl_change_log_ghl_orders_insert AFTER INSERT ON ghl_orders
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 6,
            'INSERT', NEW.id, NEW.ghl_order_id);
END;
-- trigger ghl_change_log_ghl_orders_update
CREATE TRIGGER ghl_change_log_ghl_orders_update AFTER UPDATE ON ghl_orders
    WHEN (OLD.deleted_at IS NULL OR NEW.deleted_at IS NULL)
        AND NOT (OLD.source_id IS NEW.source_id
            AND OLD.ghl_order_id IS NEW.ghl_order_id
            AND OLD.contact_id IS NEW.contact_id
            AND OLD.contact_name IS NEW.contact_name
            AND OLD.contact_email IS NEW.contact_email
            AND OLD.currency IS NEW.currency
            AND OLD.amount IS NEW.amount
            AND OLD.status IS NEW.status
            AND OLD.source_type IS NEW.source_type
            AND OLD.fulfillment_status IS NEW.fulfillment_status
            AND OLD.live_mode IS NEW.live_mode
            AND OLD.ghl_created_at IS NEW.ghl_created_at
            AND coalesce(NEW.ghl_updated_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.ghl_updated_at, '+5 seconds'), 0)
            AND OLD.created_at IS NEW.created_at
            AND OLD.deleted_at IS NEW.deleted_at
            AND OLD.deleted_reason IS NEW.deleted_reason)
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key, old)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 6,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'DELETE' WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'INSERT' ELSE 'UPDATE' END, NEW.id, NEW.ghl_order_id,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NULL THEN json_object('id', OLD.ghl_order_id, 'source_id', OLD.source_id, 'ghl_order_id', OLD.ghl_order_id, 'contact_id', OLD.contact_id, 'contact_name', OLD.contact_name, 'contact_email', OLD.contact_email, 'currency', OLD.currency, 'amount', OLD.amount, 'status', OLD.status, 'source_type', OLD.source_type, 'fulfillment_status', OLD.fulfillment_status, 'live_mode', OLD.live_mode, 'raw', json(OLD.raw), 'ghl_created_at', OLD.ghl_created_at, 'ghl_updated_at', OLD.ghl_updated_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'synced_at', OLD.synced_at, 'deleted_at', OLD.deleted_at, 'deleted_reason', OLD.deleted_reason) END);
END;
-- trigger ghl_change_log_ghl_payments_delete
CREATE TRIGGER ghl_change_log_ghl_payments_delete AFTER DELETE ON ghl_payments
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 7,
            'DELETE', OLD.id, OLD.ghl_payment_id);
END;
-- trigger ghl_change_log_ghl_payments_insert
CREATE TRIGGER ghl_change_log_ghl_payments_insert AFTER INSERT ON ghl_payments
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 7,
            'INSERT', NEW.id, NEW.ghl_payment_id);
END;
-- trigger ghl_change_log_ghl_payments_update
CREATE TRIGGER ghl_change_log_ghl_payments_update AFTER UPDATE ON ghl_payments
    WHEN (OLD.deleted_at IS NULL OR NEW.deleted_at IS NULL)
        AND NOT (OLD.source_id IS NEW.source_id
            AND OLD.ghl_payment_id IS NEW.ghl_payment_id
            AND OLD.contact_id IS NEW.contact_id
            AND OLD.contact_name IS NEW.contact_name
            AND OLD.contact_email IS NEW.contact_email
            AND OLD.currency IS NEW.currency
            AND OLD.amount IS NEW.amount
            AND OLD.amount_refunded IS NEW.amount_refunded
            AND OLD.status IS NEW.status
            AND OLD.entity_type IS NEW.entity_type
            AND OLD.entity_id IS NEW.entity_id
            AND OLD.payment_provider IS NEW.payment_provider
            AND OLD.live_mode IS NEW.live_mode
            AND OLD.ghl_created_at IS NEW.ghl_created_at
            AND coalesce(NEW.ghl_updated_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.ghl_updated_at, '+5 seconds'), 0)
            AND OLD.created_at IS NEW.created_at
            AND OLD.deleted_at IS NEW.deleted_at
            AND OLD.deleted_reason IS NEW.deleted_reason)
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key, old)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 7,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'DELETE' WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'INSERT' ELSE 'UPDATE' END, NEW.id, NEW.ghl_payment_id,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NULL THEN json_object('id', OLD.ghl_payment_id, 'source_id', OLD.source_id, 'ghl_payment_id', OLD.ghl_payment_id, 'contact_id', OLD.contact_id, 'contact_name', OLD.contact_name, 'contact_email', OLD.contact_email, 'currency', OLD.currency, 'amount', OLD.amount, 'amount_refunded', OLD.amount_refunded, 'status', OLD.status, 'entity_type', OLD.entity_type, 'entity_id', OLD.entity_id, 'payment_provider', OLD.payment_provider, 'live_mode', OLD.live_mode, 'raw', json(OLD.raw), 'ghl_created_at', OLD.ghl_created_at, 'ghl_updated_at', OLD.ghl_updated_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'synced_at', OLD.synced_at, 'deleted_at', OLD.deleted_at, 'deleted_reason', OLD.deleted_reason) END);
END;
-- trigger ghl_change_log_ghl_pipelines_delete
CREATE TRIGGER ghl_change_log_ghl_pipelines_delete AFTER DELETE ON ghl_pipelines
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 5,
            'DELETE', OLD.id, OLD.ghl_pipeline_id);
END;
-- trigger ghl_change_log_ghl_pipelines_insert
CREATE TRIGGER ghl_change_log_ghl_pipelines_insert AFTER INSERT ON ghl_pipelines
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 5,
            'INSERT', NEW.id, NEW.ghl_pipeline_id);
END;
-- trigger ghl_change_log_ghl_pipelines_update
CREATE TRIGGER ghl_change_log_ghl_pipelines_update AFTER UPDATE ON ghl_pipelines
    WHEN (OLD.deleted_at IS NULL OR NEW.deleted_at IS NULL)
        AND NOT (OLD.source_id IS NEW.source_id
            AND OLD.ghl_pipeline_id IS NEW.ghl_pipeline_id
            AND OLD.name IS NEW.name
            AND OLD.stages IS NEW.stages
            AND OLD.ghl_created_at IS NEW.ghl_created_at
            AND coalesce(NEW.ghl_updated_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.ghl_updated_at, '+5 seconds'), 0)
            AND OLD.created_at IS NEW.created_at
            AND OLD.deleted_at IS NEW.deleted_at
            AND OLD.deleted_reason IS NEW.deleted_reason)
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key, old)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 5,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'DELETE' WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'INSERT' ELSE 'UPDATE' END, NEW.id, NEW.ghl_pipeline_id,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NULL THEN json_object('id', OLD.ghl_pipeline_id, 'source_id', OLD.source_id, 'ghl_pipeline_id', OLD.ghl_pipeline_id, 'name', OLD.name, 'stages', json(OLD.stages), 'raw', json(OLD.raw), 'ghl_created_at', OLD.ghl_created_at, 'ghl_updated_at', OLD.ghl_updated_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'synced_at', OLD.synced_at, 'deleted_at', OLD.deleted_at, 'deleted_reason', OLD.deleted_reason) END);
END;
-- trigger ghl_change_log_ghl_reviews_delete
CREATE TRIGGER ghl_change_log_ghl_reviews_delete AFTER DELETE ON ghl_reviews
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 8,
            'DELETE', OLD.id, OLD.ghl_review_id);
END;
-- trigger ghl_change_log_ghl_reviews_insert
CREATE TRIGGER ghl_change_log_ghl_reviews_insert AFTER INSERT ON ghl_reviews
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 8,
            'INSERT', NEW.id, NEW.ghl_review_id);
END;
-- trigger ghl_change_log_ghl_reviews_update
CREATE TRIGGER ghl_change_log_ghl_reviews_update AFTER UPDATE ON ghl_reviews
    WHEN (OLD.deleted_at IS NULL OR NEW.deleted_at IS NULL)
        AND NOT (OLD.source_id IS NEW.source_id
            AND OLD.ghl_review_id IS NEW.ghl_review_id
            AND OLD.product_id IS NEW.product_id
            AND OLD.rating IS NEW.rating
            AND OLD.headline IS NEW.headline
            AND OLD.detail IS NEW.detail
            AND OLD.status IS NEW.status
            AND OLD.reviewer_name IS NEW.reviewer_name
            AND OLD.reviewer_email IS NEW.reviewer_email
            AND OLD.ghl_created_at IS NEW.ghl_created_at
            AND coalesce(NEW.ghl_updated_at <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.ghl_updated_at, '+5 seconds'), 0)
            AND OLD.created_at IS NEW.created_at
            AND OLD.deleted_at IS NEW.deleted_at
            AND OLD.deleted_reason IS NEW.deleted_reason)
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key, old)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 8,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'DELETE' WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'INSERT' ELSE 'UPDATE' END, NEW.id, NEW.ghl_review_id,
            CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NULL THEN json_object('id', OLD.ghl_review_id, 'source_id', OLD.source_id, 'ghl_review_id', OLD.ghl_review_id, 'product_id', OLD.product_id, 'rating', OLD.rating, 'headline', OLD.headline, 'detail', OLD.detail, 'status', OLD.status, 'reviewer_name', OLD.reviewer_name, 'reviewer_email', OLD.reviewer_email, 'raw', json(OLD.raw), 'ghl_created_at', OLD.ghl_created_at, 'ghl_updated_at', OLD.ghl_updated_at, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'synced_at', OLD.synced_at, 'deleted_at', OLD.deleted_at, 'deleted_reason', OLD.deleted_reason) END);
END;
-- trigger ghl_change_log_ghl_sources_delete
CREATE TRIGGER ghl_change_log_ghl_sources_delete AFTER DELETE ON ghl_sources
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.id), 0) + 1, 1,
            'DELETE', NULL, OLD.id);
END;
-- trigger ghl_change_log_ghl_sources_insert
CREATE TRIGGER ghl_change_log_ghl_sources_insert AFTER INSERT ON ghl_sources
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.id), 0) + 1, 1,
            'INSERT', NULL, NEW.id);
END;
-- trigger ghl_change_log_ghl_sources_update
CREATE TRIGGER ghl_change_log_ghl_sources_update AFTER UPDATE ON ghl_sources
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.id), 0) + 1, 1,
            'UPDATE', NULL, NEW.id);
END;
-- trigger ghl_change_log_ghl_sync_jobs_delete
CREATE TRIGGER ghl_change_log_ghl_sync_jobs_delete AFTER DELETE ON ghl_sync_jobs
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 2,
            'DELETE', OLD.id, OLD.source_job_number);
END;
-- trigger ghl_change_log_ghl_sync_jobs_insert
CREATE TRIGGER ghl_change_log_ghl_sync_jobs_insert AFTER INSERT ON ghl_sync_jobs
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 2,
            'INSERT', NEW.id, NEW.source_job_number);
END;
-- trigger ghl_change_log_ghl_sync_jobs_update
CREATE TRIGGER ghl_change_log_ghl_sync_jobs_update AFTER UPDATE ON ghl_sync_jobs
BEGIN
    INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
    VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 2,
            'UPDATE', NEW.id, NEW.source_job_number);
END;
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
