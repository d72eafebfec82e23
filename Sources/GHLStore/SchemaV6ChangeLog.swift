import GRDB

extension Schema {
    /// `v6_changelog_log`: the change log, durable in the file, one lean row per change.
    ///
    /// Triggers stored in the file (not TEMP) append every row change of the
    /// broadcast tables to `ghl_change_log` inside the writer's own transaction,
    /// whoever the writer is: this process, a CLI sync, another `serve`, the
    /// sqlite3 CLI. A rollback discards the rows with the data. A row holds
    /// keys, not payloads: `tbl` (a code, see `ChangeLogRows.tables`), `rec`
    /// (the record's rowid), `key` (the id its viewers see) and `op`; the
    /// payload is built when the log is read (see `ChangeLogRows`), so the
    /// writer adds about a hundred bytes per row to the WAL, not the row twice.
    /// The one exception is `old`, an UPDATE's record as it was before, which
    /// no later read could rebuild: the UPDATE triggers of the record tables
    /// store it in the shape `ChangeLogRows` builds (`id` the GHL id, `raw`,
    /// `stages` as JSON), as the seed's `broadcast_changes(..., NEW, OLD)`
    /// sends it; it is NULL for every other row, so a sync's INSERTs pay nothing.
    /// `id` is commit order (SQLite has one writer at a time); `seq` numbers
    /// each source's (topic's) changes from 1, densely: one more than the
    /// topic's last, read from the end of the topic's range in
    /// `idx_ghl_change_log_topic`, the page the row's own entry then goes to.
    /// So a logged change costs the log's row and one index entry, no counter
    /// row to update; pruning keeps each topic's newest row, so a number never
    /// comes back (see `Store.pruneChangeLog`). Every reader sees the same stored seqs.
    /// `ghl_change_log_bounds` holds the bounds `serve` prunes the log to.
    ///
    /// A record table's rows are soft-deleted, so an UPDATE is logged as what
    /// it does to the live set (`deleted_at IS NULL`, what the views show): a row
    /// leaving it (GHL deleted it, a filter excludes it) is a DELETE, a row
    /// coming back an INSERT, a change to a deleted row nothing. An UPDATE that
    /// brings no newer GHL version and changes no column but `raw` (the sync
    /// storing the API's full copy of what a webhook already applied) is not
    /// logged either: one change in GHL is one event, however it came. "No
    /// newer" allows GHL's times (`ghl_updated_at`, `last_status_change_at`,
    /// `last_stage_change_at`) to run up to 5 seconds ahead of the webhook's
    /// event time that stands for them: GHL stamps a record and its webhook
    /// from clocks a few milliseconds apart. A no-op upsert (whose
    /// `DO UPDATE ... WHERE` matches nothing) fires no trigger at all.
    ///
    /// Frozen: the triggers are literal SQL over the columns the tables had at v5.
    static func createChangeLog(_ db: Database) throws {
        try db.execute(sql: """
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
            CREATE UNIQUE INDEX idx_ghl_change_log_topic ON ghl_change_log(source_id, seq);
            CREATE TABLE ghl_change_log_bounds (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                max_age_seconds INTEGER NOT NULL,
                max_rows INTEGER NOT NULL,
                max_bytes INTEGER NOT NULL
            );
            INSERT INTO ghl_change_log_bounds (id, max_age_seconds, max_rows, max_bytes) VALUES (1, 259200, 1000000, 268435456);
            CREATE TRIGGER ghl_change_log_ghl_sources_insert AFTER INSERT ON ghl_sources
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.id), 0) + 1, 1,
                        'INSERT', NULL, NEW.id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_sources_update AFTER UPDATE ON ghl_sources
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.id), 0) + 1, 1,
                        'UPDATE', NULL, NEW.id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_sources_delete AFTER DELETE ON ghl_sources
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.id), 0) + 1, 1,
                        'DELETE', NULL, OLD.id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_sync_jobs_insert AFTER INSERT ON ghl_sync_jobs
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 2,
                        'INSERT', NEW.id, NEW.source_job_number);
            END;
            CREATE TRIGGER ghl_change_log_ghl_sync_jobs_update AFTER UPDATE ON ghl_sync_jobs
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 2,
                        'UPDATE', NEW.id, NEW.source_job_number);
            END;
            CREATE TRIGGER ghl_change_log_ghl_sync_jobs_delete AFTER DELETE ON ghl_sync_jobs
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 2,
                        'DELETE', OLD.id, OLD.source_job_number);
            END;
            CREATE TRIGGER ghl_change_log_ghl_contacts_insert AFTER INSERT ON ghl_contacts
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 3,
                        'INSERT', NEW.id, NEW.ghl_contact_id);
            END;
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
            CREATE TRIGGER ghl_change_log_ghl_contacts_delete AFTER DELETE ON ghl_contacts
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 3,
                        'DELETE', OLD.id, OLD.ghl_contact_id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_opportunities_insert AFTER INSERT ON ghl_opportunities
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 4,
                        'INSERT', NEW.id, NEW.ghl_opportunity_id);
            END;
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
            CREATE TRIGGER ghl_change_log_ghl_opportunities_delete AFTER DELETE ON ghl_opportunities
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 4,
                        'DELETE', OLD.id, OLD.ghl_opportunity_id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_pipelines_insert AFTER INSERT ON ghl_pipelines
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 5,
                        'INSERT', NEW.id, NEW.ghl_pipeline_id);
            END;
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
            CREATE TRIGGER ghl_change_log_ghl_pipelines_delete AFTER DELETE ON ghl_pipelines
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 5,
                        'DELETE', OLD.id, OLD.ghl_pipeline_id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_orders_insert AFTER INSERT ON ghl_orders
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 6,
                        'INSERT', NEW.id, NEW.ghl_order_id);
            END;
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
            CREATE TRIGGER ghl_change_log_ghl_orders_delete AFTER DELETE ON ghl_orders
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 6,
                        'DELETE', OLD.id, OLD.ghl_order_id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_payments_insert AFTER INSERT ON ghl_payments
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 7,
                        'INSERT', NEW.id, NEW.ghl_payment_id);
            END;
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
            CREATE TRIGGER ghl_change_log_ghl_payments_delete AFTER DELETE ON ghl_payments
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 7,
                        'DELETE', OLD.id, OLD.ghl_payment_id);
            END;
            CREATE TRIGGER ghl_change_log_ghl_reviews_insert AFTER INSERT ON ghl_reviews
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (NEW.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = NEW.source_id), 0) + 1, 8,
                        'INSERT', NEW.id, NEW.ghl_review_id);
            END;
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
            CREATE TRIGGER ghl_change_log_ghl_reviews_delete AFTER DELETE ON ghl_reviews
            BEGIN
                INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key)
                VALUES (OLD.source_id, coalesce((SELECT max(seq) FROM ghl_change_log WHERE source_id = OLD.source_id), 0) + 1, 8,
                        'DELETE', OLD.id, OLD.ghl_review_id);
            END;
            """)
    }
}
