import Foundation
import GRDB
import Testing
@testable import GHLStore

/// Each view's figures on a small hand-built dataset with known answers.
/// Source A holds the data; source B holds a little of everything, to show
/// that rows never mix across sources.
@Suite struct ReportingViewTests {
    let db: TestDatabase
    let a: String
    let b: String

    init() async throws {
        db = try TestDatabase()
        a = try await db.addSource("a")
        b = try await db.addSource("b", currency: "EUR")
        let store = db.store
        try await store.upsert(.contacts, sourceId: a, records: [
            record("c1", updated: "2024-03-02T00:00:00.000Z", ["first_name": "Ana", "last_name": "Lima", "email": "ana@example.com"]),
            record("c2", updated: "2024-03-03T00:00:00.000Z", ["contact_name": "Bo Ek"]),
            record("c3", ["contact_name": "Gone"]),
        ])
        try await store.upsert(.contacts, sourceId: b, records: [record("c1", ["contact_name": "Other"])])
        let stages = #"[{"id":"s1","name":"New","position":0},{"id":"s2","name":"Closing","position":1}]"#
        try await store.upsert(.pipelines, sourceId: a, records: [record("p1", ["name": "Sales", "stages": stages])])
        try await store.upsert(.pipelines, sourceId: b, records: [record("p1", ["name": "Theirs", "stages": stages])])
        func opp(_ id: String, _ stage: String, _ status: String, _ value: Double, wonAt: String? = nil) -> EntityRecord {
            record(id, ["pipeline_id": "p1", "pipeline_stage_id": stage, "status": status, "monetary_value": value,
                        "contact_id": "c1", "last_status_change_at": wonAt])
        }
        try await store.upsert(.opportunities, sourceId: a, records: [
            opp("o1", "s1", "open", 100), opp("o2", "s1", "open", 50),
            opp("o3", "s2", "won", 300, wonAt: "2024-03-10T12:00:00.000Z"), opp("o4", "s2", "lost", 70),
            opp("o5", "s2", "won", 200, wonAt: "2024-04-02T12:00:00.000Z"), opp("o6", "s1", "open", 1000),
        ])
        try await store.upsert(.opportunities, sourceId: b, records: [opp("o1", "s1", "open", 999)])
        try await store.upsert(.orders, sourceId: a, records: [
            record("r1", created: "2024-03-05T00:00:00.000Z", ["status": "completed", "amount": 40.0, "currency": "USD"]),
            record("r2", created: "2024-03-06T00:00:00.000Z", ["status": "pending", "amount": 99.0, "currency": "USD"]),
            record("r3", created: "2024-04-01T00:00:00.000Z", ["status": "completed", "amount": 10.0, "currency": "EUR"]),
        ])
        try await store.upsert(.payments, sourceId: a, records: [
            record("t1", created: "2024-03-07T00:00:00.000Z", ["status": "succeeded", "amount": 100.0, "amount_refunded": 25.0, "currency": "USD"]),
            record("t2", created: "2024-03-08T00:00:00.000Z", ["status": "failed", "amount": 500.0, "currency": "USD"]),
        ])
        try await store.upsert(.payments, sourceId: b, records: [
            record("t1", created: "2024-03-07T00:00:00.000Z", ["status": "succeeded", "amount": 7.0, "currency": "EUR"]),
        ])
        try await store.upsert(.reviews, sourceId: a, records: [5.0, 4.0, 4.0, 1.0].enumerated().map { record("v\($0.offset)", ["rating": $0.element]) })
        try await store.pool.base.write { [a] conn throws in
            try conn.execute(sql: "UPDATE ghl_contacts SET deleted_at = '2024-05-01T00:00:00.000Z' WHERE ghl_contact_id = 'c3'")
            try conn.execute(sql: "UPDATE ghl_opportunities SET deleted_at = '2024-05-01T00:00:00.000Z' WHERE ghl_opportunity_id = 'o6'")
            try conn.execute(sql: """
                INSERT INTO ghl_sync_jobs (source_id, job_type, status, records_processed, pages, error, started_at, completed_at, created_at) VALUES
                (?, 'contacts', 'completed', 3, 1, NULL, '2024-05-01T10:00:00.000Z', '2024-05-01T10:00:05.000Z', '2024-05-01T10:00:00.000Z'),
                (?, 'contacts', 'failed', 0, 0, 'boom', '2024-05-01T11:00:00.000Z', '2024-05-01T11:00:01.000Z', '2024-05-01T11:00:00.000Z')
                """, arguments: [a, a])
        }
    }

    private func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try db.store.pool.base.read { try Row.fetchAll($0, sql: sql, arguments: arguments) }
    }

    @Test func contactsRecentSkipsDeletedAndNamesEveryone() throws {
        let contacts = try rows("SELECT * FROM v_ghl_contacts_recent WHERE source_id = ? ORDER BY date_updated DESC", [a])
        #expect(contacts.map { $0["contact_name"] as String } == ["Bo Ek", "Ana Lima"])
        #expect(contacts.last?["email"] == "ana@example.com")
    }

    @Test func opportunitiesReportJoinsPipelineStageAndContact() throws {
        let report = try rows("SELECT * FROM v_ghl_opportunities_report WHERE source_id = ? ORDER BY ghl_opportunity_id", [a])
        #expect(report.map { $0["ghl_opportunity_id"] as String } == ["o1", "o2", "o3", "o4", "o5"])
        let first = try #require(report.first)
        #expect(first["pipeline_name"] == "Sales")
        #expect(first["stage_name"] == "New")
        #expect(first["contact_name"] == "Ana Lima")
        #expect(report[2]["stage_name"] == "Closing")
    }

    @Test func pipelineStageSummaryCountsAndValues() throws {
        let stages = try rows("SELECT * FROM v_ghl_pipeline_stage_summary WHERE source_id = ? ORDER BY stage_position", [a])
        #expect(stages.count == 2)
        let new = stages[0], closing = stages[1]
        #expect(new["stage_name"] == "New")
        #expect(new["opportunity_count"] == 2)
        #expect(new["open_value"] == 150.0)
        #expect(closing["opportunity_count"] == 3)
        #expect(closing["total_value"] == 570.0)
        #expect(closing["won_count"] == 2)
        #expect(closing["won_value"] == 500.0)
        #expect(closing["lost_count"] == 1)
        #expect(closing["open_count"] == 0)
    }

    @Test func revenueSummaryByMonthAndCurrency() throws {
        let revenue = try rows("SELECT * FROM v_ghl_revenue_summary WHERE source_id = ? ORDER BY month, currency", [a])
        let keyed = Dictionary(uniqueKeysWithValues: revenue.map { ("\($0["month"] as String) \($0["currency"] as String)", $0) })
        #expect(Set(keyed.keys) == ["2024-03 USD", "2024-04 EUR", "2024-04 USD"])
        let march = try #require(keyed["2024-03 USD"])
        #expect(march["won_value"] == 300.0)
        #expect(march["orders_total"] == 40.0)
        #expect(march["orders_count"] == 1)
        #expect(march["payments_total"] == 75.0)
        #expect(march["payments_count"] == 1)
        #expect(keyed["2024-04 USD"]?["won_value"] == 200.0)
        #expect(keyed["2024-04 EUR"]?["orders_total"] == 10.0)
        let other = try rows("SELECT * FROM v_ghl_revenue_summary WHERE source_id = ?", [b])
        #expect(other.map { $0["payments_total"] as Double } == [7.0])
        #expect(other.first?["currency"] == "EUR")
    }

    @Test func reviewsSummaryCountAverageAndDistribution() throws {
        let summary = try #require(try rows("SELECT * FROM v_ghl_reviews_summary WHERE source_id = ?", [a]).first)
        #expect(summary["review_count"] == 4)
        #expect(summary["average_rating"] == 3.5)
        #expect([1, 2, 3, 4, 5].map { summary["rating_\($0)"] as Int } == [1, 0, 0, 2, 1])
        let empty = try #require(try rows("SELECT * FROM v_ghl_reviews_summary WHERE source_id = ?", [b]).first)
        #expect(empty["review_count"] == 0)
        #expect((empty["average_rating"] as Double?) == nil)
    }

    @Test func syncStatusShowsLatestJobWithLastSuccessAndStaleness() throws {
        let status = try rows("SELECT * FROM v_ghl_sync_status WHERE source_id = ?", [a])
        #expect(status.count == 1)
        let contacts = try #require(status.first)
        #expect(contacts["entity"] == "contacts")
        #expect(contacts["status"] == "failed")
        #expect(contacts["error"] == "boom")
        #expect(contacts["duration_seconds"] == 1.0)
        #expect(contacts["last_success_at"] == "2024-05-01T10:00:05.000Z")
        let staleness: Int = contacts["staleness_seconds"]
        let expected = Int(Date().timeIntervalSince(Timestamp.date("2024-05-01T10:00:05.000Z")!))
        #expect(abs(staleness - expected) < 120)
    }

    @Test func dashboardSummaryPerSource() throws {
        let summary = try #require(try rows("SELECT * FROM v_ghl_dashboard_summary WHERE source_id = ?", [a]).first)
        #expect(summary["contacts_count"] == 2)
        #expect(summary["opportunities_count"] == 5)
        #expect(summary["open_opportunities_count"] == 2)
        #expect(summary["open_pipeline_value"] == 150.0)
        #expect(summary["won_count"] == 2)
        #expect(summary["won_revenue"] == 500.0)
        #expect(summary["orders_count"] == 3)
        #expect(summary["payments_total"] == 75.0)
        #expect(summary["reviews_count"] == 4)
        #expect(summary["average_rating"] == 3.5)
        #expect(summary["last_sync_at"] == "2024-05-01T10:00:05.000Z")
        let other = try #require(try rows("SELECT * FROM v_ghl_dashboard_summary WHERE source_id = ?", [b]).first)
        #expect(other["contacts_count"] == 1)
        #expect(other["open_pipeline_value"] == 999.0)
        #expect((other["last_sync_at"] as String?) == nil)
    }

    /// The stage summary sums opportunities per stage before joining the
    /// stages: stages without any still show, with zeros, and opportunities in
    /// stages the pipeline does not list, or soft-deleted, never count.
    @Test func pipelineStageSummaryEdgeCases() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("edge")
        let stages = #"[{"id":"x1","name":"Empty"},{"id":"x2","name":"Mixed"}]"#
        try await db.store.upsert(.pipelines, sourceId: source, records: [
            record("p2", ["name": "Deals", "stages": stages]), record("p3", ["name": "Old", "stages": stages]),
        ])
        func opp(_ id: String, _ stage: String, _ status: String, _ value: Double?) -> EntityRecord {
            record(id, ["pipeline_id": "p2", "pipeline_stage_id": stage, "status": status, "monetary_value": value])
        }
        let revived = opp("o4", "x2", "lost", 5)
        try await db.store.upsert(.opportunities, sourceId: source, records: [
            opp("o1", "x2", "open", nil), opp("o2", "x2", "won", 10), opp("o3", "zz", "won", 99), revived, opp("o5", "x2", "open", 7),
        ])
        try await db.store.pool.base.write { conn throws in
            try conn.execute(sql: "UPDATE ghl_pipelines SET deleted_at = '2024-05-01T00:00:00.000Z' WHERE ghl_pipeline_id = 'p3'")
            try conn.execute(sql: "UPDATE ghl_opportunities SET deleted_at = '2024-05-01T00:00:00.000Z' WHERE ghl_opportunity_id IN ('o4', 'o5')")
        }
        try await db.store.upsert(.opportunities, sourceId: source, records: [revived])

        let summary = try db.store.pool.base.read { conn in
            try Row.fetchAll(conn, sql: "SELECT * FROM v_ghl_pipeline_stage_summary WHERE source_id = ? ORDER BY pipeline_name, stage_position",
                             arguments: [source])
        }
        #expect(summary.map { "\($0["pipeline_id"] as String)/\($0["stage_id"] as String)" } == ["p2/x1", "p2/x2"])
        let empty = summary[0], mixed = summary[1]
        for column in ["opportunity_count", "total_value", "open_count", "open_value", "won_count", "won_value", "lost_count"] {
            #expect(empty[column] as DatabaseValue == 0.databaseValue, "\(column)")
        }
        #expect(mixed["opportunity_count"] == 3)
        #expect(mixed["total_value"] == 15.0)
        #expect(mixed["open_count"] == 1)
        #expect(mixed["open_value"] as DatabaseValue == 0.databaseValue)
        #expect(mixed["won_count"] == 1)
        #expect(mixed["won_value"] == 10.0)
        #expect(mixed["lost_count"] == 1)
    }

    /// Each part of the revenue summary is summed on its own before the parts
    /// are combined: a month with only some parts shows zeros for the others.
    @Test func revenueSummaryCombinesPartsPerMonth() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("money", currency: "GBP")
        try await db.store.upsert(.opportunities, sourceId: source, records: [
            record("o1", updated: "2024-06-09T00:00:00.000Z", ["status": "won", "monetary_value": 30.0]),
            record("o2", updated: "2024-06-10T00:00:00.000Z", ["status": "won", "monetary_value": nil]),
            record("o3", ["status": "won", "monetary_value": 8.0, "last_status_change_at": "2024-07-01T00:00:00.000Z"]),
        ])
        try await db.store.upsert(.orders, sourceId: source, records: [
            record("r1", created: "2024-06-01T00:00:00.000Z", ["status": "completed", "amount": 5.0, "currency": nil]),
            record("r2", created: "2024-06-02T00:00:00.000Z", ["status": "completed", "amount": 6.0, "currency": "GBP"]),
            record("r3", created: "2024-06-03T00:00:00.000Z", ["status": "completed", "amount": 7.0, "currency": "GBP"]),
        ])
        try await db.store.upsert(.payments, sourceId: source, records: [
            record("t1", created: "2024-07-04T00:00:00.000Z", ["status": "succeeded", "amount": 20.0, "amount_refunded": 5.0, "currency": "GBP"]),
        ])
        try await db.store.pool.base.write { conn throws in
            try conn.execute(sql: "UPDATE ghl_orders SET deleted_at = '2024-08-01T00:00:00.000Z' WHERE ghl_order_id = 'r3'")
        }
        let revenue = try db.store.pool.base.read { conn in
            try Row.fetchAll(conn, sql: "SELECT * FROM v_ghl_revenue_summary WHERE source_id = ? ORDER BY month, currency", arguments: [source])
        }
        #expect(revenue.map { "\($0["month"] as String) \($0["currency"] as String)" } == ["2024-06 GBP", "2024-06 USD", "2024-07 GBP"])
        let june = revenue[0], juneUSD = revenue[1], july = revenue[2]
        #expect(june["won_count"] == 2)
        #expect(june["won_value"] == 30.0)
        #expect(june["orders_count"] == 1)
        #expect(june["orders_total"] == 6.0)
        #expect(june["payments_count"] == 0)
        #expect(june["payments_total"] as DatabaseValue == 0.databaseValue)
        #expect(juneUSD["won_count"] == 0)
        #expect(juneUSD["orders_total"] == 5.0)
        #expect(july["won_value"] == 8.0)
        #expect(july["payments_count"] == 1)
        #expect(july["payments_total"] == 15.0)
    }
}
