import Foundation
import GHLPostgresTestSupport
import GHLSandbox
import GHLStore
import GHLSync
import Testing

/// The sync's semantics, once for the SQLite file and once for PostgreSQL:
/// the same engine, through `any SyncStore`, must leave the same data.
@Suite(.serialized) struct BothEnginesSyncTests {
    static let counts = RecordCounts(contacts: 1200, opportunities: 150, orders: 120, transactions: 110, reviews: 60)

    @Test(arguments: Engine.allCases)
    func aFullSyncEqualsTheSandboxAndAnUnchangedOneWritesNothing(_ engine: Engine) async throws {
        let fixture = try await EngineFixture.start(engine, Self.counts)
        defer { Task { await fixture.stop() } }
        let result = try await fixture.run(.full)
        #expect(result.ok, "\(result.results.compactMap(\.error))")
        #expect(result.counts["contacts"] == Self.counts.contacts)
        try await fixture.expectEqualToSandbox()
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'completed' AND records_processed > 0") == 6)
        #expect(Set(result.results.compactMap(\.jobId)) == Set(1...6), "jobs are numbered within the source")

        let before = Date()
        let again = try await fixture.run(.full)
        #expect(again.ok)
        let written = try fixture.rowsWritten(after: before)
        #expect(written.values.allSatisfy { $0 == 0 }, "\(written)")
        #expect(Set(again.results.compactMap(\.jobId)) == Set(7...12))
        try await fixture.expectEqualToSandbox()
    }

    @Test(arguments: Engine.allCases)
    func anIncrementalSyncWritesOnlyTheChangedRows(_ engine: Engine) async throws {
        let fixture = try await EngineFixture.start(engine, Self.counts)
        defer { Task { await fixture.stop() } }
        #expect(try await fixture.run(.full).ok)
        for record in try fixture.sandbox.records(.contacts, location: fixture.location).prefix(20) {
            try fixture.sandbox.update(.contacts, location: fixture.location, id: record["id"]!.stringValue!, patch: ["city": "Lyon"])
        }
        try fixture.sandbox.create(.contacts, location: fixture.location, fields: ["firstName": "New", "email": "new@example.com"])
        let opportunity = try fixture.sandbox.records(.opportunities, location: fixture.location)[3]
        try fixture.sandbox.update(.opportunities, location: fixture.location, id: opportunity["id"]!.stringValue!, patch: ["status": "won"])

        let before = Date()
        let result = try await fixture.run(.incremental)
        #expect(result.ok, "\(result.results.compactMap(\.error))")
        try await fixture.expectEqualToSandbox()
        let written = try fixture.rowsWritten(after: before)
        #expect(written == [.contacts: 21, .opportunities: 1, .pipelines: 0, .orders: 0, .payments: 0, .reviews: 0], "\(written)")
        let inLyon = try fixture.sandbox.records(.contacts, location: fixture.location).filter { $0["city"] == .string("Lyon") }.count
        #expect(inLyon >= 20)
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_contacts WHERE city = 'Lyon'") == inLyon, "the typed columns follow")
    }

    @Test(arguments: Engine.allCases)
    func deletionsInGHLAreSoftDeletes(_ engine: Engine) async throws {
        let fixture = try await EngineFixture.start(engine, Self.counts)
        defer { Task { await fixture.stop() } }
        #expect(try await fixture.run(.full).ok)
        let contactId = try fixture.sandbox.records(.contacts, location: fixture.location)[10]["id"]!.stringValue!
        try fixture.sandbox.delete(.contacts, location: fixture.location, id: contactId)
        let orderId = try fixture.sandbox.records(.orders, location: fixture.location)[5]["_id"]!.stringValue!
        try fixture.sandbox.delete(.orders, location: fixture.location, id: orderId)

        #expect(try await fixture.run(.incremental).ok)
        try await fixture.expectEqualToSandbox()
        #expect(try fixture.int("""
            SELECT COUNT(*) FROM ghl_contacts WHERE ghl_contact_id = '\(contactId)' AND deleted_at IS NOT NULL AND deleted_reason = 'deleted'
            """) == 1)
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_reason = 'deleted'") == 1)
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_contacts") == Self.counts.contacts, "the row stays, marked")
    }

    @Test(arguments: Engine.allCases)
    func aFilterMarksTheRowsItExcludesOutOfScope(_ engine: Engine) async throws {
        let fixture = try await EngineFixture.start(engine, Self.counts)
        defer { Task { await fixture.stop() } }
        #expect(try await fixture.run(.full).ok)
        let customers = try fixture.sandbox.records(.contacts, location: fixture.location)
            .filter { ($0["tags"]?.arrayValue ?? []).contains(.string("customer")) }.count
        #expect(customers > 0 && customers < Self.counts.contacts)

        let change = try await fixture.engine.setFilter(FilterRequest(contactTags: ["customer"]), sourceId: fixture.source.id)
        #expect(change.markedOutOfScope[.contacts] == Self.counts.contacts - customers)
        #expect(try await fixture.store.liveCount(.contacts, sourceId: fixture.source.id) == customers)
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_contacts WHERE deleted_reason = 'out_of_scope'") == Self.counts.contacts - customers)

        // A full listing under the filter writes the excluded records no more and sweeps nothing else.
        #expect(try await fixture.run(.full).ok)
        #expect(try await fixture.store.liveCount(.contacts, sourceId: fixture.source.id) == customers)
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_contacts WHERE deleted_reason = 'deleted'") == 0)
        try await fixture.expectEqualToSandbox(Entity.allCases.filter { $0 != .contacts })

        _ = try await fixture.engine.clearFilter(sourceId: fixture.source.id)
        #expect(try await fixture.run(.incremental).ok)
        try await fixture.expectEqualToSandbox()
    }

    /// GHL's offset paging can return a record twice in one batch (a record
    /// shifted between pages): the later copy is stored, and the batch is not refused.
    @Test(arguments: Engine.allCases)
    func aBatchHoldingARecordTwiceKeepsTheLaterCopy(_ engine: Engine) async throws {
        let fixture = try await EngineFixture.start(engine, RecordCounts(contacts: 1, opportunities: 0, orders: 0, transactions: 0, reviews: 0))
        defer { Task { await fixture.stop() } }
        let lease = SourceLease(sourceId: fixture.source.id, owner: SourceLease.owner(runId: "twice"))
        #expect(try await fixture.store.acquire(lease) == nil)
        let job = try await fixture.store.startSyncJob(sourceId: fixture.source.id, entity: .contacts, mode: .full, runId: "twice")
        func contact(_ city: String) -> EntityRecord {
            EntityRecord(ghlId: "c-twice", values: ["city": .text(city)], raw: #"{"city":"\#(city)","id":"c-twice"}"#,
                         ghlCreatedAt: nil, ghlUpdatedAt: nil)
        }
        try await fixture.store.commitSyncPage(Store.SyncPage(
            entity: .contacts, sourceId: fixture.source.id, records: [contact("Lyon"), contact("Nice")], outOfScope: [], seen: nil,
            cursor: "{}", job: job.id, progress: SyncJobProgress(records: 2, pages: 1), lease: lease))
        #expect(try await fixture.store.liveRaw(.contacts, sourceId: fixture.source.id) == ["c-twice": #"{"city":"Nice","id":"c-twice"}"#])
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_contacts WHERE city = 'Nice'") == 1)
        #expect(try fixture.int("SELECT records_processed FROM ghl_sync_jobs") == 2)
    }

    @Test(arguments: Engine.allCases)
    func aFailingEntityDoesNotStopTheOthers(_ engine: Engine) async throws {
        let fixture = try await EngineFixture.start(engine, Self.counts, faults: [
            FaultRule(.serviceUnavailable, everyNth: 1, path: "/products/reviews"),
        ])
        defer { Task { await fixture.stop() } }
        let result = try await fixture.run(.full)
        #expect(result.summary == "5 succeeded, 1 failed")
        let reviews = try #require(result.results.first { $0.entity == .reviews })
        #expect(reviews.error?.contains("503") == true, "\(reviews.error ?? "")")
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE job_type = 'reviews' AND status = 'failed' AND error <> ''") == 1)
        #expect(try fixture.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'completed'") == 5)
        #expect(try fixture.int("SELECT COUNT(*) FROM sync_leases") == 0, "the lease is given back")
        try await fixture.expectEqualToSandbox(Entity.allCases.filter { $0 != .reviews })
    }
}
