import GRDB

/// The seed's seven reporting views, in plain SQL.
///
/// Each has a `source_id` column and uses only SQLite built-ins (JSON1 included),
/// so a synced file answers them in the sqlite3 CLI with no ghlsync present.
/// Soft-deleted rows (`deleted_at` set) never count.
///
/// Money is summed in whole cents and divided once, so a sum is the nearest
/// double to the exact decimal total and prints as Postgres `numeric` (the
/// seed's type) would: `1243540.86`, not the `1243540.8599999999` that adding
/// binary fractions gives.
///
/// A view's rows of one source derive only from that source's rows (every
/// join and subquery matches on the source): readers rely on it to answer a
/// read of one source under a scope holding just that source.
public enum ReportingViews {
    /// The view names, as the seed and `/rest/v1/{view}` spell them.
    public static let names: [String] = definitions.map(\.name)

    static let definitions: [(name: String, sql: String)] = [
        ("v_ghl_contacts_recent", """
            SELECT c.source_id, c.ghl_contact_id,
                   COALESCE(NULLIF(c.contact_name, ''), NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')), '')) AS contact_name,
                   c.first_name, c.last_name, c.email, c.phone, c.company_name, c.source, c.tags,
                   c.assigned_to, c.city, c.country,
                   c.ghl_created_at AS date_added, c.ghl_updated_at AS date_updated, c.synced_at
            FROM ghl_contacts c
            WHERE c.deleted_at IS NULL
            """),
        ("v_ghl_opportunities_report", """
            SELECT o.source_id, o.ghl_opportunity_id, o.name, o.status, o.monetary_value,
                   o.pipeline_id, p.name AS pipeline_name,
                   o.pipeline_stage_id, json_extract(st.value, '$.name') AS stage_name,
                   CAST(st.key AS INTEGER) AS stage_position,
                   o.contact_id,
                   COALESCE(NULLIF(c.contact_name, ''), NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')), '')) AS contact_name,
                   o.assigned_to, o.source, o.last_status_change_at,
                   o.ghl_created_at AS created_at, o.ghl_updated_at AS updated_at
            FROM ghl_opportunities o
            LEFT JOIN ghl_pipelines p
                   ON p.source_id = o.source_id AND p.ghl_pipeline_id = o.pipeline_id AND p.deleted_at IS NULL
            LEFT JOIN json_each(p.stages) st
                   ON json_extract(st.value, '$.id') = o.pipeline_stage_id
            LEFT JOIN ghl_contacts c
                   ON c.source_id = o.source_id AND c.ghl_contact_id = o.contact_id
            WHERE o.deleted_at IS NULL
            """),
        // Opportunities are summed per stage first, in the order of
        // idx_ghl_opportunities_live_stage (no sort), then joined to the stages:
        // grouping the join instead sorts every opportunity row.
        ("v_ghl_pipeline_stage_summary", """
            SELECT p.source_id, p.ghl_pipeline_id AS pipeline_id, p.name AS pipeline_name,
                   json_extract(st.value, '$.id') AS stage_id, json_extract(st.value, '$.name') AS stage_name,
                   CAST(st.key AS INTEGER) AS stage_position,
                   COALESCE(o.opportunity_count, 0) AS opportunity_count,
                   COALESCE(o.total_cents, 0) / 100.0 AS total_value,
                   COALESCE(o.open_count, 0) AS open_count,
                   COALESCE(o.open_cents, 0) / 100.0 AS open_value,
                   COALESCE(o.won_count, 0) AS won_count,
                   COALESCE(o.won_cents, 0) / 100.0 AS won_value,
                   COALESCE(o.lost_count, 0) AS lost_count
            FROM ghl_pipelines p
            JOIN json_each(p.stages) st
            LEFT JOIN (
                SELECT source_id, pipeline_id, pipeline_stage_id,
                       COUNT(*) AS opportunity_count, SUM(\(cents("monetary_value"))) AS total_cents,
                       SUM(status = 'open') AS open_count, SUM(CASE WHEN status = 'open' THEN \(cents("monetary_value")) END) AS open_cents,
                       SUM(status = 'won') AS won_count, SUM(CASE WHEN status = 'won' THEN \(cents("monetary_value")) END) AS won_cents,
                       SUM(status = 'lost') AS lost_count
                FROM ghl_opportunities
                WHERE deleted_at IS NULL
                GROUP BY source_id, pipeline_id, pipeline_stage_id
            ) o ON o.source_id = p.source_id AND o.pipeline_id = p.ghl_pipeline_id
               AND o.pipeline_stage_id = json_extract(st.value, '$.id')
            WHERE p.deleted_at IS NULL
            """),
        // Money by calendar month (UTC) and currency: won opportunities (in the
        // location's currency, by the month they were won), completed orders and
        // succeeded payments net of refunds (by the month they were created).
        // Each part is summed on its own before the parts are combined, so the
        // final grouping sorts a few rows per month instead of every row.
        ("v_ghl_revenue_summary", """
            SELECT source_id, month, currency,
                   SUM(won_count) AS won_count, SUM(won_cents) / 100.0 AS won_value,
                   SUM(orders_count) AS orders_count, SUM(orders_cents) / 100.0 AS orders_total,
                   SUM(payments_count) AS payments_count, SUM(payments_cents) / 100.0 AS payments_total
            FROM (
                SELECT o.source_id, substr(COALESCE(o.last_status_change_at, o.ghl_updated_at), 1, 7) AS month,
                       s.currency, COUNT(*) AS won_count, SUM(\(cents("COALESCE(o.monetary_value, 0)"))) AS won_cents,
                       0 AS orders_count, 0 AS orders_cents, 0 AS payments_count, 0 AS payments_cents
                FROM ghl_opportunities o JOIN ghl_sources s ON s.id = o.source_id
                WHERE o.status = 'won' AND o.deleted_at IS NULL
                GROUP BY 1, 2, 3
                UNION ALL
                SELECT source_id, substr(ghl_created_at, 1, 7), COALESCE(currency, 'USD'),
                       0, 0, COUNT(*), SUM(\(cents("COALESCE(amount, 0)"))), 0, 0
                FROM ghl_orders
                WHERE status = 'completed' AND deleted_at IS NULL
                GROUP BY 1, 2, 3
                UNION ALL
                SELECT source_id, substr(ghl_created_at, 1, 7), COALESCE(currency, 'USD'),
                       0, 0, 0, 0, COUNT(*), SUM(\(cents("COALESCE(amount, 0)")) - \(cents("COALESCE(amount_refunded, 0)")))
                FROM ghl_payments
                WHERE status = 'succeeded' AND deleted_at IS NULL
                GROUP BY 1, 2, 3
            )
            GROUP BY source_id, month, currency
            """),
        ("v_ghl_reviews_summary", """
            SELECT s.id AS source_id,
                   COUNT(r.id) AS review_count,
                   ROUND(AVG(r.rating), 2) AS average_rating,
                   COALESCE(SUM(CAST(ROUND(r.rating) AS INTEGER) = 1), 0) AS rating_1,
                   COALESCE(SUM(CAST(ROUND(r.rating) AS INTEGER) = 2), 0) AS rating_2,
                   COALESCE(SUM(CAST(ROUND(r.rating) AS INTEGER) = 3), 0) AS rating_3,
                   COALESCE(SUM(CAST(ROUND(r.rating) AS INTEGER) = 4), 0) AS rating_4,
                   COALESCE(SUM(CAST(ROUND(r.rating) AS INTEGER) = 5), 0) AS rating_5,
                   MAX(r.ghl_created_at) AS latest_review_at
            FROM ghl_sources s
            LEFT JOIN ghl_reviews r ON r.source_id = s.id AND r.deleted_at IS NULL
            GROUP BY s.id
            """),
        // The latest job per source and entity, with the last success and how stale it is.
        ("v_ghl_sync_status", """
            SELECT j.source_id, j.job_type AS entity, j.id AS job_id, j.status, j.mode,
                   j.records_processed, j.records_total, j.pages, j.requests, j.error,
                   j.started_at, j.completed_at,
                   ROUND((julianday(COALESCE(j.completed_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) - julianday(j.started_at)) * 86400.0, 3) AS duration_seconds,
                   ok.last_success_at,
                   CAST((julianday('now') - julianday(ok.last_success_at)) * 86400 AS INTEGER) AS staleness_seconds
            FROM ghl_sync_jobs j
            LEFT JOIN (
                SELECT source_id, job_type, MAX(completed_at) AS last_success_at
                FROM ghl_sync_jobs WHERE status = 'completed' GROUP BY source_id, job_type
            ) ok ON ok.source_id = j.source_id AND ok.job_type = j.job_type
            WHERE j.id = (SELECT MAX(k.id) FROM ghl_sync_jobs k
                          WHERE k.source_id = j.source_id AND k.job_type = j.job_type)
            """),
        ("v_ghl_dashboard_summary", """
            SELECT s.id AS source_id, s.name AS source_name, s.location_id, s.currency,
                   (SELECT COUNT(*) FROM ghl_contacts c WHERE c.source_id = s.id AND c.deleted_at IS NULL) AS contacts_count,
                   (SELECT COUNT(*) FROM ghl_opportunities o WHERE o.source_id = s.id AND o.deleted_at IS NULL) AS opportunities_count,
                   (SELECT COUNT(*) FROM ghl_opportunities o WHERE o.source_id = s.id AND o.status = 'open' AND o.deleted_at IS NULL) AS open_opportunities_count,
                   (SELECT COALESCE(SUM(\(cents("o.monetary_value"))), 0) FROM ghl_opportunities o WHERE o.source_id = s.id AND o.status = 'open' AND o.deleted_at IS NULL) / 100.0 AS open_pipeline_value,
                   (SELECT COUNT(*) FROM ghl_opportunities o WHERE o.source_id = s.id AND o.status = 'won' AND o.deleted_at IS NULL) AS won_count,
                   (SELECT COALESCE(SUM(\(cents("o.monetary_value"))), 0) FROM ghl_opportunities o WHERE o.source_id = s.id AND o.status = 'won' AND o.deleted_at IS NULL) / 100.0 AS won_revenue,
                   (SELECT COUNT(*) FROM ghl_orders r WHERE r.source_id = s.id AND r.deleted_at IS NULL) AS orders_count,
                   (SELECT COALESCE(SUM(\(cents("p.amount")) - \(cents("COALESCE(p.amount_refunded, 0)"))), 0) FROM ghl_payments p WHERE p.source_id = s.id AND p.status = 'succeeded' AND p.deleted_at IS NULL) / 100.0 AS payments_total,
                   (SELECT COUNT(*) FROM ghl_reviews v WHERE v.source_id = s.id AND v.deleted_at IS NULL) AS reviews_count,
                   (SELECT ROUND(AVG(v.rating), 2) FROM ghl_reviews v WHERE v.source_id = s.id AND v.deleted_at IS NULL) AS average_rating,
                   (SELECT MAX(j.completed_at) FROM ghl_sync_jobs j WHERE j.source_id = s.id AND j.status = 'completed') AS last_sync_at
            FROM ghl_sources s
            """),
    ]

    /// An amount as whole cents: a double with an integral value, so sums of
    /// it are exact (every partial sum is an integer below 2^53).
    private static func cents(_ amount: String) -> String {
        "ROUND((\(amount)) * 100)"
    }

    /// Creates each view that is missing and replaces each whose SQL is out of date.
    static func install(_ db: Database) throws {
        for view in definitions {
            let wanted = "CREATE VIEW \(view.name) AS \(view.sql)"
            let current = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", arguments: [view.name])
            guard current != wanted else { continue }
            if current != nil { try db.execute(sql: "DROP VIEW \(view.name)") }
            try db.execute(sql: wanted)
        }
    }
}

extension Store {
    /// The columns of each reporting view, by view name (schema, not data).
    public func reportingViewColumns() async throws -> [String: [String]] {
        try await pool.read { db in
            try Dictionary(uniqueKeysWithValues: ReportingViews.names.map { ($0, try db.columns(in: $0).map(\.name)) })
        }
    }
}
