import GRDB

extension Schema {
    /// `v4_view_indexes`: covering indexes for the aggregate reporting views.
    ///
    /// A scoped read of one source aggregates that source's live rows
    /// (`deleted_at IS NULL`). The seed's indexes found those rows but not the
    /// values summed, so every row cost a lookup into a table whose rows carry
    /// the raw JSON, scattered across the file. These indexes lead with
    /// `(source_id, deleted_at)`, which SQLite matches by equality for
    /// `deleted_at IS NULL`, and carry every column the views read after it,
    /// so the summaries never touch the tables. They are plain, not partial:
    /// SQLite 3.40 does not count a partial index as covering when the query
    /// names the column its WHERE tests.
    ///
    /// They replace the indexes they extend (`(source_id, deleted_at)` and the
    /// seed's status and stage indexes), so an upsert maintains no more indexes
    /// than before.
    static func createViewIndexes(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX idx_ghl_opportunities_source;
            DROP INDEX idx_ghl_opportunities_stage;
            DROP INDEX idx_ghl_opportunities_status;
            DROP INDEX idx_ghl_orders_source;
            DROP INDEX idx_ghl_payments_source;
            DROP INDEX idx_ghl_reviews_source;
            CREATE INDEX idx_ghl_opportunities_live_stage ON ghl_opportunities(source_id, deleted_at, pipeline_id, pipeline_stage_id, status, monetary_value);
            CREATE INDEX idx_ghl_opportunities_live_status ON ghl_opportunities(source_id, deleted_at, status, monetary_value, last_status_change_at, ghl_updated_at);
            CREATE INDEX idx_ghl_orders_live_status ON ghl_orders(source_id, deleted_at, status, ghl_created_at, currency, amount);
            CREATE INDEX idx_ghl_payments_live_status ON ghl_payments(source_id, deleted_at, status, ghl_created_at, currency, amount, amount_refunded);
            CREATE INDEX idx_ghl_reviews_live_rating ON ghl_reviews(source_id, deleted_at, rating, ghl_created_at);
            """)
        // A file that was analyzed (an analyst's ANALYZE) would otherwise pit
        // measured figures for the old indexes against SQLite's guesses for the
        // new ones, which make `deleted_at IS NULL` look selective: it would then
        // sort a source's rows for an ordered page instead of walking an index.
        if try db.tableExists("sqlite_stat1") {
            try db.execute(sql: """
                ANALYZE idx_ghl_opportunities_live_stage;
                ANALYZE idx_ghl_opportunities_live_status;
                ANALYZE idx_ghl_orders_live_status;
                ANALYZE idx_ghl_payments_live_status;
                ANALYZE idx_ghl_reviews_live_rating;
                """)
        }
    }
}
