import GRDB

extension Schema {
    /// `v7_ids_by_source`: a record is found by its GHL id through the
    /// `UNIQUE (source_id, <id>)` index alone; the seed's global
    /// `idx_<table>_ghl_id` indexes are dropped.
    ///
    /// GHL ids are random, so every row a sync writes lands on a random leaf of
    /// each index keyed by them, and a page transaction writes each such leaf
    /// to the WAL whole: the global index cost the bulk sync about a third of
    /// its writer's time (a large agency: 27,500 rows/s with it, 44,000 without,
    /// in pages of 2,000). Every lookup of the product names its source, and a
    /// scoped read refuses a plan on an index spanning every source, so only an
    /// analyst's `WHERE ghl_contact_id = ?` used it. That query now skip-scans
    /// the unique index, one seek per source: SQLite skip-scans only where its
    /// statistics say each leading value has many rows, so the unique indexes
    /// get a `sqlite_stat1` row saying so (measured ones on a file that was
    /// analyzed). Its first figure, the table's size, is SQLite's own guess
    /// for a table it has no figures for.
    static func findIdsBySource(_ db: Database) throws {
        let tables = ["ghl_contacts", "ghl_opportunities", "ghl_pipelines", "ghl_orders", "ghl_payments", "ghl_reviews"]
        let analyzed = try db.tableExists("sqlite_stat1")
        if !analyzed { try db.execute(sql: "ANALYZE sqlite_schema") }
        for table in tables {
            try db.execute(sql: "DROP INDEX idx_\(table)_ghl_id")
            let unique = "sqlite_autoindex_\(table)_1"
            if analyzed {
                try db.execute(sql: "ANALYZE \(unique)")
            } else {
                try db.execute(sql: "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, '1048576 1024 1')", arguments: [table, unique])
            }
        }
    }
}
