import GRDB

extension Schema {
    /// `v4_filters`: why a row is soft-deleted. `deleted_reason` is
    /// `'deleted'` when GHL no longer has the record and `'out_of_scope'` when
    /// the source's sync filter (`ghl_sources.filters`) excludes it; NULL on
    /// live rows. Rows deleted before this migration keep a NULL reason.
    static func addDeletedReason(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE ghl_contacts ADD COLUMN deleted_reason TEXT;
            ALTER TABLE ghl_opportunities ADD COLUMN deleted_reason TEXT;
            ALTER TABLE ghl_pipelines ADD COLUMN deleted_reason TEXT;
            ALTER TABLE ghl_orders ADD COLUMN deleted_reason TEXT;
            ALTER TABLE ghl_payments ADD COLUMN deleted_reason TEXT;
            ALTER TABLE ghl_reviews ADD COLUMN deleted_reason TEXT;
            """)
    }
}
