import Foundation
import GRDB
import Testing
@testable import GHLStore

/// Money in the views is exact to the cent, as the seed's Postgres `numeric`
/// shows it, on amounts whose binary floating-point sum is off.
@Suite struct MoneyViewTests {
    /// 300 cent amounts up to 5,000 whose running sum as doubles drifts from
    /// the decimal total in any order, ascending too (the order the views'
    /// covering indexes hand values to SUM).
    static let amounts: [Double] = (1...300).map { Double(($0 * 7919 + 13) % 500_000) / 100 }

    /// The exact decimal total, as the nearest double (what `numeric` prints).
    static func exact(_ values: [Double]) -> Double {
        Double(values.map { Int(($0 * 100).rounded()) }.reduce(0, +)) / 100
    }

    @Test func everyMoneyColumnIsTheExactCentSum() async throws {
        let refunds = Self.amounts.map { ($0 / 3 * 100).rounded() / 100 }
        let net = zip(Self.amounts, refunds).map { $0 - $1 }
        // The data must expose float error, or this test could not fail.
        #expect(Self.amounts.sorted().reduce(0, +) != Self.exact(Self.amounts))
        #expect(zip(Self.amounts, refunds).sorted { $0.0 < $1.0 }.reduce(0) { $0 + ($1.0 - $1.1) } != Self.exact(net))

        let db = try TestDatabase()
        let source = try await db.addSource("money")
        let stages = #"[{"id":"s1","name":"New"}]"#
        try await db.store.upsert(.pipelines, sourceId: source, records: [record("p1", ["name": "Sales", "stages": stages])])
        let at = "2024-03-10T12:00:00.000Z"
        for status in ["open", "won"] {
            try await db.store.upsert(.opportunities, sourceId: source, records: Self.amounts.enumerated().map { index, value in
                record("\(status)\(index)", updated: at, ["pipeline_id": "p1", "pipeline_stage_id": "s1", "status": status,
                                                          "monetary_value": value, "last_status_change_at": at])
            })
        }
        try await db.store.upsert(.orders, sourceId: source, records: Self.amounts.enumerated().map { index, value in
            record("r\(index)", created: at, ["status": "completed", "amount": value, "currency": "USD"])
        })
        try await db.store.upsert(.payments, sourceId: source, records: Self.amounts.enumerated().map { index, value in
            record("t\(index)", created: at, ["status": "succeeded", "amount": value, "amount_refunded": refunds[index], "currency": "USD"])
        })

        let total = Self.exact(Self.amounts)
        let netTotal = Self.exact(net)
        func row(_ view: String) throws -> Row {
            try #require(try db.store.pool.base.read { try Row.fetchOne($0, sql: "SELECT * FROM \(view) WHERE source_id = ?", arguments: [source]) })
        }
        let stage = try row("v_ghl_pipeline_stage_summary")
        #expect(stage["open_value"] as Double == total)
        #expect(stage["won_value"] as Double == total)
        #expect(stage["total_value"] as Double == Self.exact(Self.amounts + Self.amounts))
        let revenue = try row("v_ghl_revenue_summary")
        #expect(revenue["won_value"] as Double == total)
        #expect(revenue["orders_total"] as Double == total)
        #expect(revenue["payments_total"] as Double == netTotal)
        let summary = try row("v_ghl_dashboard_summary")
        #expect(summary["open_pipeline_value"] as Double == total)
        #expect(summary["won_revenue"] as Double == total)
        #expect(summary["payments_total"] as Double == netTotal)
        // And they print as numeric does: two decimals at most.
        #expect(String(summary["open_pipeline_value"] as Double) == "\(total)")
        #expect("\(total)".split(separator: ".").last!.count <= 2)
    }
}
