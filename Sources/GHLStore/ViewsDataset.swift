import Foundation
import GRDB

/// A synthetic database for the `views` benchmark, written straight with SQL
/// (here in the store, as the store alone writes SQL).
///
/// Rows are spread evenly over `sources` sources (`bench-0` ...), with
/// pipelines of four stages, opportunities in every status, orders, payments,
/// reviews and sync jobs, so that every reporting view has work to do. It
/// bypasses change capture (a plain connection, not the store's writer): a
/// million synthetic inserts are not changes anyone subscribes to.
public struct ViewsDataset: Sendable {
    public var sources = 10
    public var contacts = 100_000
    public var opportunities = 20_000
    public var orders = 10_000
    public var payments = 10_000
    public var reviews = 5_000
    public var jobs = 600

    public init() {}

    public static func sourceId(_ index: Int) -> String { "bench-\(index)" }

    public func generate(at path: String) throws {
        _ = try Store(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try db.inTransaction {
                try insert(db)
                return .commit
            }
            try db.execute(sql: "ANALYZE")
        }
    }

    /// The store of a dataset kept at `path` between runs: generated there the
    /// first time, reused afterwards (a large one takes a while to write).
    /// A file holding other sizes is an error, not silently measured.
    public func kept(at path: String) async throws -> Store {
        if !FileManager.default.fileExists(atPath: path) { try generate(at: path) }
        let store = try Store(path: path)
        let expected = [("ghl_sources", sources), ("ghl_contacts", contacts), ("ghl_opportunities", opportunities),
                        ("ghl_orders", orders), ("ghl_payments", payments), ("ghl_reviews", reviews)]
        let found = try await store.pool.read { db in
            try expected.map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0.0)") ?? 0 }
        }
        for ((table, wanted), count) in zip(expected, found) where wanted != count {
            throw StoreError.invalidInput("\(path) holds \(count) rows in \(table), not \(wanted): pass the sizes it was generated with, or delete it")
        }
        return store
    }

    private func insert(_ db: Database) throws {
        let n = sources
        func series(_ count: Int, _ body: String) throws {
            guard count > 0 else { return }
            try db.execute(sql: "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(count - 1)) " + body)
        }
        func time(_ expression: String) -> String {
            "strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + \(expression), 'unixepoch')"
        }
        // Row i goes to source i % n; statuses, stages, currencies and ratings
        // cycle with the round i / n, so that every source gets every kind.
        let src = "'bench-' || (i % \(n))"
        let round = "(i / \(n))"
        try series(n, """
            INSERT INTO ghl_sources (id, name, location_id, api_base, token_env, currency, created_at, updated_at)
            SELECT 'bench-' || i, 'Location ' || i, 'loc' || i, 'http://127.0.0.1:1', 'GHL_TOKEN', 'USD', \(time("0")), \(time("0")) FROM n
            """)
        try db.execute(sql: """
            INSERT INTO ghl_pipelines (source_id, ghl_pipeline_id, name, stages, raw, created_at, updated_at, synced_at)
            SELECT id, 'p1', 'Sales',
                   '[{"id":"s0","name":"New","position":0},{"id":"s1","name":"Qualified","position":1},{"id":"s2","name":"Proposal","position":2},{"id":"s3","name":"Closing","position":3}]',
                   '{"id":"p1","name":"Sales"}', created_at, created_at, created_at
            FROM ghl_sources WHERE id LIKE 'bench-%'
            """)
        try series(contacts, """
            INSERT INTO ghl_contacts (source_id, ghl_contact_id, first_name, last_name, email, phone, tags, raw,
                                      ghl_created_at, ghl_updated_at, created_at, updated_at, synced_at)
            SELECT \(src), 'c' || i, 'First' || i, 'Last' || (i % 997), 'c' || i || '@example.com', '+1555' || (1000000 + i),
                   CASE i % 3 WHEN 0 THEN '["customer"]' WHEN 1 THEN '["lead","vip"]' ELSE '[]' END,
                   json_object('id', 'c' || i, 'firstName', 'First' || i, 'email', 'c' || i || '@example.com',
                               'customFields', json_array(json_object('id', 'tier', 'value', CASE i % 4 WHEN 0 THEN 'gold' ELSE 'silver' END))),
                   \(time("i * 30")), \(time("i * 31")), \(time("i * 31")), \(time("i * 31")), \(time("i * 31")) FROM n
            """)
        try series(opportunities, """
            INSERT INTO ghl_opportunities (source_id, ghl_opportunity_id, name, pipeline_id, pipeline_stage_id, status, monetary_value,
                                           contact_id, last_status_change_at, raw, ghl_created_at, ghl_updated_at, created_at, updated_at, synced_at)
            SELECT \(src), 'o' || i, 'Deal ' || i, 'p1', 's' || (\(round) % 4),
                   CASE \(round) % 5 WHEN 0 THEN 'won' WHEN 1 THEN 'lost' ELSE 'open' END, (i % 1000) * 10.0,
                   'c' || (i % \(max(contacts, 1))), \(time("i * 100")), json_object('id', 'o' || i),
                   \(time("i * 100")), \(time("i * 100")), \(time("i * 100")), \(time("i * 100")), \(time("i * 100")) FROM n
            """)
        for (table, id, count, status) in [("ghl_orders", "ghl_order_id", orders, "CASE \(round) % 3 WHEN 0 THEN 'pending' ELSE 'completed' END"),
                                           ("ghl_payments", "ghl_payment_id", payments, "CASE \(round) % 7 WHEN 0 THEN 'failed' ELSE 'succeeded' END")] {
            try series(count, """
                INSERT INTO \(table) (source_id, \(id), currency, amount, status, contact_id, raw, ghl_created_at, ghl_updated_at, created_at, updated_at, synced_at)
                SELECT \(src), 'x' || i, CASE \(round) % 10 WHEN 0 THEN 'EUR' ELSE 'USD' END, 10 + i % 300, \(status), 'c' || i, json_object('_id', 'x' || i),
                       \(time("i * 600")), \(time("i * 600")), \(time("i * 600")), \(time("i * 600")), \(time("i * 600")) FROM n
                """)
        }
        try series(reviews, """
            INSERT INTO ghl_reviews (source_id, ghl_review_id, rating, headline, raw, ghl_created_at, ghl_updated_at, created_at, updated_at, synced_at)
            SELECT \(src), 'v' || i, 1 + (\(round) * 7) % 5, 'Review ' || i, json_object('_id', 'v' || i),
                   \(time("i * 900")), \(time("i * 900")), \(time("i * 900")), \(time("i * 900")), \(time("i * 900")) FROM n
            """)
        try series(jobs, """
            INSERT INTO ghl_sync_jobs (source_id, job_type, mode, status, records_processed, pages, started_at, completed_at, created_at)
            SELECT \(src), CASE \(round) % 6 WHEN 0 THEN 'contacts' WHEN 1 THEN 'opportunities' WHEN 2 THEN 'pipelines'
                                 WHEN 3 THEN 'orders' WHEN 4 THEN 'payments' ELSE 'reviews' END,
                   'full', 'completed', 100, 1, \(time("i * 60")), \(time("i * 60 + 5")), \(time("i * 60")) FROM n
            """)
    }
}
