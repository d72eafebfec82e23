import Foundation
import GHLAPI
import GHLSandbox
import GHLStore
@testable import GHLSync
import GRDB
import Testing

/// The engine's bookkeeping against the sandbox (offset-paged orders, pipelines): jobs,
/// sweep, revival, and a run that fails mid-listing (the sandbox's fault injection) resuming
/// after its last committed page.
@Suite struct EngineBookkeepingTests {
    static func counts(orders: Int) -> RecordCounts {
        RecordCounts(contacts: 20, opportunities: 0, orders: orders, transactions: 0, reviews: 0)
    }

    @Test func fullRunStoresJobsAndSweepsAndRevives() async throws {
        let fixture = try await SandboxFixture.start(Self.counts(orders: 250))
        defer { Task { await fixture.stop() } }
        let test = fixture.test
        let pipelines = try fixture.sandbox.records(.pipelines, location: fixture.location).count
        let first = try await fixture.run(.full, entities: [.orders, .pipelines])
        #expect(first.ok, "\(first.results.compactMap(\.error))")
        #expect(first.counts == ["orders": 250, "pipelines": pipelines])
        #expect(first.results[0].pages == 3 && first.results[0].requests == 3)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL") == 250)
        #expect(try test.int("SELECT records_total FROM ghl_sync_jobs WHERE job_type = 'orders'") == 250)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_pipelines WHERE json_array_length(stages) > 0") == pipelines)

        let removed = try fixture.sandbox.records(.orders, location: fixture.location)[7]
        let removedId = try #require(removed["_id"]?.stringValue)
        try fixture.sandbox.delete(.orders, location: fixture.location, id: removedId)
        let second = try await fixture.run(.incremental, entities: [.orders])
        #expect(second.ok)
        #expect(second.results[0].mode == .full)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NOT NULL AND ghl_order_id = ?", [removedId]) == 1)

        _ = try fixture.sandbox.create(.orders, location: fixture.location, fields: removed)
        _ = try await fixture.run(.full, entities: [.orders])
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL") == 250)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL AND ghl_order_id = ?", [removedId]) == 1)
        #expect(try test.int("SELECT COUNT(*) FROM sync_seen") == 0)
        #expect(try test.int("SELECT COUNT(*) FROM sync_leases") == 0)
    }

    @Test func aFailedRunResumesAfterItsLastCommittedPage() async throws {
        let fixture = try await SandboxFixture.start(Self.counts(orders: 450), retry: RetryPolicy(maxAttempts: 1))
        defer { Task { await fixture.stop() } }
        let test = fixture.test
        try fixture.sandbox.addFault(FaultRule(.internalServerError, everyNth: 1, after: 2, path: "/payments/orders"))
        let failed = try await fixture.run(.full, entities: [.orders])
        #expect(!failed.ok)
        #expect(failed.summary == "0 succeeded, 1 failed")
        #expect(failed.results[0].error?.contains("500") == true)
        // Two requests pass. Orders are offset-paged, so page 3 is fetched beside page 2 and may take the second
        // pass: then page 2 fails and only page 1 is committed.
        let committed = failed.results[0].pages
        #expect(committed == 1 || committed == 2)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders") == committed * 100)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'failed' AND error IS NOT NULL") == 1)

        fixture.sandbox.clearFaults()
        let before = fixture.requests
        let resumed = try await fixture.run(.full, entities: [.orders])
        #expect(resumed.ok)
        #expect(fixture.requests - before == 5 - committed)
        #expect(resumed.results[0].pages == 5 && resumed.results[0].count == 450)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL") == 450)
        let notes = try test.row("SELECT notes FROM ghl_sync_jobs ORDER BY id DESC")?["notes"] as String?
        #expect(notes?.contains("resumed") == true)
        try fixture.expectEqualToSandbox([.orders])
    }

    /// A full listing into an entity with no live rows remembers no ids and
    /// sweeps nothing, also when it resumes with the rows of its first pages
    /// stored; a row that arrived meanwhile (a webhook's) stays. A listing
    /// that begins with rows sweeps as before.
    @Test func aListingIntoNoRowsRemembersNoIdsAndSweepsNothing() async throws {
        let fixture = try await SandboxFixture.start(Self.counts(orders: 450), retry: RetryPolicy(maxAttempts: 1))
        defer { Task { await fixture.stop() } }
        let test = fixture.test
        try fixture.sandbox.addFault(FaultRule(.internalServerError, everyNth: 1, after: 2, path: "/payments/orders"))
        let failed = try await fixture.run(.full, entities: [.orders])
        #expect(!failed.ok && failed.results[0].pages >= 1)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders") == failed.results[0].pages * 100)
        #expect(try test.int("SELECT COUNT(*) FROM sync_seen") == 0)

        try await test.store.upsert(.orders, sourceId: fixture.source.id, records: [
            EntityRecord(ghlId: "by-webhook", values: [:], raw: #"{"_id":"by-webhook"}"#, ghlCreatedAt: nil, ghlUpdatedAt: nil)])
        fixture.sandbox.clearFaults()
        let resumed = try await fixture.run(.full, entities: [.orders])
        #expect(resumed.ok && resumed.results[0].count == 450)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL") == 451)
        #expect(try test.int("SELECT COUNT(*) FROM sync_seen") == 0)

        let removed = try #require(fixture.sandbox.records(.orders, location: fixture.location)[3]["_id"]?.stringValue)
        try fixture.sandbox.delete(.orders, location: fixture.location, id: removed)
        #expect(try await fixture.run(.full, entities: [.orders]).ok)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NOT NULL") == 2)
        try fixture.expectEqualToSandbox([.orders])
    }

    /// No request is made: every job fails on the missing token, naming the variable.
    @Test func missingTokenFailsEveryJobClearly() async throws {
        let test = try TestStore()
        defer { test.cleanup() }
        let source = try await test.addSource(locationId: "loc1", tokenEnv: "UNSET_TOKEN_VAR")
        let result = try await SyncEngine(store: test.store, environment: [:]).runAll(RunRequest(sourceId: source.id))
        #expect(result.summary == "0 succeeded, 6 failed")
        #expect(result.results.allSatisfy { $0.error?.contains("UNSET_TOKEN_VAR") == true })
        #expect(try test.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'failed'") == 6)
    }
}
