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
        let replaced = ["idx_ghl_opportunities_source", "idx_ghl_opportunities_stage", "idx_ghl_opportunities_status",
                        "idx_ghl_orders_source", "idx_ghl_payments_source", "idx_ghl_reviews_source"]
        let created = [
            ("idx_ghl_opportunities_live_stage",
             "ghl_opportunities(source_id, deleted_at, pipeline_id, pipeline_stage_id, status, monetary_value)"),
            ("idx_ghl_opportunities_live_status",
             "ghl_opportunities(source_id, deleted_at, status, monetary_value, last_status_change_at, ghl_updated_at)"),
            ("idx_ghl_orders_live_status", "ghl_orders(source_id, deleted_at, status, ghl_created_at, currency, amount)"),
            ("idx_ghl_payments_live_status",
             "ghl_payments(source_id, deleted_at, status, ghl_created_at, currency, amount, amount_refunded)"),
            ("idx_ghl_reviews_live_rating", "ghl_reviews(source_id, deleted_at, rating, ghl_created_at)"),
        ]
        for name in replaced {
            try db.execute(sql: "DROP INDEX \(name)")
        }
        for (name, definition) in created {
            try db.execute(sql: "CREATE INDEX \(name) ON \(definition)")
        }
        // A file that was analyzed (an analyst's ANALYZE) would otherwise pit
        // measured figures for the old indexes against SQLite's guesses for the
        // new ones, which make `deleted_at IS NULL` look selective: it would then
        // sort a source's rows for an ordered page instead of walking an index.
        if try db.tableExists("sqlite_stat1") {
            for (name, _) in created {
                try db.execute(sql: "ANALYZE \(name)")
            }
        }
    }
}
