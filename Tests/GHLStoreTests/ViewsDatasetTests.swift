import Foundation
import GRDB
import Testing
@testable import GHLStore

/// The views benchmark's synthetic file, which the store writes since only
/// the store writes SQL.
@Suite struct ViewsDatasetTests {
    @Test func aSmallDatasetHasItsSizesAndAKeptFileOfOtherSizesIsRefused() async throws {
        let db = try TestDatabase()
        let path = db.directory.appendingPathComponent("views.sqlite").path
        var dataset = ViewsDataset()
        (dataset.sources, dataset.contacts, dataset.opportunities, dataset.orders, dataset.payments, dataset.reviews, dataset.jobs)
            = (3, 30, 12, 9, 6, 3, 12)
        let store = try await dataset.kept(at: path)
        try await store.probe()
        let counts = try await store.pool.base.read { conn in
            try ["ghl_sources", "ghl_contacts", "ghl_opportunities", "ghl_orders", "ghl_payments", "ghl_reviews", "ghl_sync_jobs", "ghl_pipelines"]
                .map { try Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM \($0)") ?? 0 }
        }
        #expect(counts == [3, 30, 12, 9, 6, 3, 12, 3])
        #expect(try await store.liveCount(.contacts, sourceId: ViewsDataset.sourceId(0)) == 10)

        var other = dataset
        other.contacts = 31
        await #expect(throws: StoreError.self) { try await other.kept(at: path) }
    }
}
