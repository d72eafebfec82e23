import Foundation
import GHLAPI
import GHLSandbox
@testable import GHLStore
@testable import GHLSync
import GRDB
import Synchronization
import Testing

@Suite(.serialized) struct SyncEngineTests {
    static let counts = RecordCounts(contacts: 2600, opportunities: 230, orders: 140, transactions: 120, reviews: 70)

    /// Fewest requests: ceil(records / max page) per entity, pipelines in one.
    static func minimumRequests(_ c: RecordCounts) -> Int {
        func pages(_ n: Int, _ size: Int) -> Int { max(1, (n + size - 1) / size) }
        return pages(c.contacts, 500) + pages(c.opportunities, 500) + 1 + pages(c.orders, 100)
            + pages(c.transactions, 100) + pages(c.reviews, 100)
    }

    @Test func fullSyncEqualsTheSandbox() async throws {
        let fixture = try await SandboxFixture.start(Self.counts)
        defer { Task { await fixture.stop() } }
        let result = try await fixture.run(.full)
        #expect(result.ok, "\(result.results.compactMap(\.error))")
        #expect(result.summary == "6 succeeded, 0 failed")
        #expect(result.counts["contacts"] == 2600)
        try fixture.expectEqualToSandbox()
        #expect(fixture.requests <= Self.minimumRequests(Self.counts) + 1)
        let jobs = try fixture.test.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'completed' AND records_processed > 0")
        #expect(jobs == 6)
        // A second full run over unchanged data changes no entity row (only job rows).
        let tables = Mutex<Set<String>>([])
        try await fixture.test.store.onCommit { events in tables.withLock { $0.formUnion(events.map(\.table)) } }
        _ = try await fixture.run(.full)
        try await fixture.test.store.pollChanges()
        #expect(tables.withLock { $0 } == ["ghl_sync_jobs"])
        try fixture.expectEqualToSandbox()
    }

    @Test func incrementalSyncCatchesUpWithFewerRequests() async throws {
        let fixture = try await SandboxFixture.start(Self.counts)
        defer { Task { await fixture.stop() } }
        _ = try await fixture.run(.full)
        let fullRequests = fixture.requests
        fixture.sandbox.resetCounters()
        let contacts = try fixture.sandbox.records(.contacts, location: fixture.location)
        for record in contacts.prefix(20) {
            try fixture.sandbox.update(.contacts, location: fixture.location, id: record["id"]!.stringValue!, patch: ["city": "Lyon"])
        }
        try fixture.sandbox.create(.contacts, location: fixture.location, fields: ["firstName": "New", "email": "new@example.com"])
        let opportunity = try fixture.sandbox.records(.opportunities, location: fixture.location)[3]
        try fixture.sandbox.update(.opportunities, location: fixture.location, id: opportunity["id"]!.stringValue!, patch: ["status": "won"])
        let result = try await fixture.run(.incremental)
        #expect(result.ok, "\(result.results.compactMap(\.error))")
        try fixture.expectEqualToSandbox()
        #expect(result.results.first { $0.entity == .contacts }?.mode == .incremental)
        #expect(result.results.first { $0.entity == .opportunities }?.mode == .incremental)
        #expect(result.results.first { $0.entity == .opportunities }?.count == 1)
        #expect(fixture.requests < fullRequests, "incremental \(fixture.requests) vs full \(fullRequests)")
    }

    /// Orders filter only by creation time: an incremental run fetches the new
    /// ones (and checks the total), not updates of older ones, until its daily
    /// full listing reconciles them.
    @Test func creationFilteredEntitiesListNewRecordsThenReconcileDaily() async throws {
        let fixture = try await SandboxFixture.start(Self.counts)
        defer { Task { await fixture.stop() } }
        _ = try await fixture.run(.full)
        let older = try fixture.sandbox.records(.orders, location: fixture.location)[2]["_id"]!.stringValue!
        try fixture.sandbox.update(.orders, location: fixture.location, id: older, patch: ["fulfillmentStatus": "fulfilled"])
        let created = try fixture.sandbox.create(.orders, location: fixture.location, fields: ["amount": 12, "currency": "USD"])
        let result = try await fixture.run(.incremental, entities: [.orders])
        #expect(result.ok && result.results[0].mode == .incremental)
        #expect(result.results[0].count < Self.counts.orders)
        let stored = try fixture.storedRecords(.orders)
        #expect(stored[created["_id"]!.stringValue!] != nil)
        #expect(stored[older] != (try fixture.sandboxRecords(.orders))[older])
        let notes = try fixture.test.row("SELECT notes FROM ghl_sync_jobs WHERE job_type = 'orders' ORDER BY id DESC")?["notes"] as String?
        #expect(notes?.contains("filters only by creation time") == true)

        let dayAgo = Int64(Date().addingTimeInterval(-SyncCursor.reconcileEvery - 60).timeIntervalSince1970 * 1000)
        try await fixture.test.store.pool.base.write { db in
            try db.execute(sql: "UPDATE sync_cursors SET cursor = json_set(cursor, '$.reconciledAt', ?) WHERE entity = 'orders'", arguments: [dayAgo])
        }
        let reconciling = try await fixture.run(.incremental, entities: [.orders])
        #expect(reconciling.ok && reconciling.results[0].mode == .full)
        try fixture.expectEqualToSandbox([.orders])
    }

    @Test func deletionsAreSweptAndRecordsRevive() async throws {
        let fixture = try await SandboxFixture.start(Self.counts)
        defer { Task { await fixture.stop() } }
        _ = try await fixture.run(.full)
        let contact = try fixture.sandbox.records(.contacts, location: fixture.location)[10]
        let contactId = contact["id"]!.stringValue!
        try fixture.sandbox.delete(.contacts, location: fixture.location, id: contactId)
        let order = try fixture.sandbox.records(.orders, location: fixture.location)[5]
        try fixture.sandbox.delete(.orders, location: fixture.location, id: order["_id"]!.stringValue!)
        let result = try await fixture.run(.incremental)
        #expect(result.ok)
        try fixture.expectEqualToSandbox()
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_contacts WHERE deleted_at IS NOT NULL AND ghl_contact_id = ?", [contactId]) == 1)
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NOT NULL") == 1)
        let notes = try fixture.test.row("SELECT notes FROM ghl_sync_jobs WHERE job_type = 'contacts' ORDER BY id DESC")?["notes"] as String?
        #expect(notes?.contains("marked deleted") == true)
    }

    @Test func faultsEndWithExactDataOrAClearFailure() async throws {
        let fixture = try await SandboxFixture.start(Self.counts, faults: [
            FaultRule(.tooManyRequests, next: 4, retryAfterSeconds: 0),
            FaultRule(.internalServerError, next: 2, path: "/opportunities"),
            FaultRule(.cutConnection, next: 2, path: "/payments"),
            FaultRule(.truncatedJSON, next: 1, path: "/contacts"),
        ])
        defer { Task { await fixture.stop() } }
        let result = try await fixture.run(.full)
        #expect(result.ok, "\(result.results.compactMap(\.error))")
        try fixture.expectEqualToSandbox()

        try fixture.sandbox.addFault(FaultRule(.serviceUnavailable, everyNth: 1, path: "/products/reviews"))
        let failing = try await fixture.run(.full)
        #expect(!failing.ok)
        #expect(failing.summary == "5 succeeded, 1 failed")
        let reviews = try #require(failing.results.first { $0.entity == .reviews })
        #expect(reviews.error?.contains("503") == true, "\(reviews.error ?? "")")
        let job = try #require(try fixture.test.row("SELECT status, error FROM ghl_sync_jobs WHERE job_type = 'reviews' ORDER BY id DESC"))
        #expect(job["status"] as String == "failed")
        #expect((job["error"] as String?)?.isEmpty == false)
        try fixture.expectEqualToSandbox(Entity.allCases.filter { $0 != .reviews })
    }

    /// A record with fields of unexpected types is stored all the same: `raw`
    /// exactly as GHL sent it, typed columns NULL where the value means
    /// nothing, and the job's notes say which fields.
    @Test func recordsOfUnexpectedTypesAreStoredAndReported() async throws {
        let fixture = try await SandboxFixture.start(Self.counts, faults: [FaultRule(.wrongFieldTypes, next: 1, path: "/opportunities/search")])
        defer { Task { await fixture.stop() } }
        let result = try await fixture.run(.full)
        #expect(result.ok)
        let opportunities = try #require(result.results.first { $0.entity == .opportunities })
        #expect(opportunities.skipped == 0)
        let job = try fixture.test.row("SELECT notes, records_skipped FROM ghl_sync_jobs WHERE job_type = 'opportunities'")
        let notes = try #require(job?["notes"] as String?)
        #expect(notes.contains("stored 1 record with fields of an unexpected type"), "\(notes)")
        #expect(notes.contains("monetaryValue is a string, expected a number"), "\(notes)")
        #expect(job?["records_skipped"] as Int? == 0)
        let stored = try fixture.storedRecords(.opportunities)
        #expect(Set(stored.keys) == Set(try fixture.sandboxRecords(.opportunities).keys))
        let odd = try #require(try fixture.test.row(
            "SELECT raw, monetary_value, name FROM ghl_opportunities WHERE json_extract(raw, '$.monetaryValue') = 'not-a-number'"))
        #expect((odd["monetary_value"] as Double?) == nil)
        #expect(odd["name"] as String? == "12345")
        // The next clean run brings GHL's proper version.
        _ = try await fixture.run(.full)
        try fixture.expectEqualToSandbox()
    }

    /// Values of the right meaning in another JSON type (times as epoch
    /// milliseconds, numbers and booleans as strings) fill the typed columns
    /// exactly as the proper types do.
    @Test func looselyTypedValuesAreCoercedToTheirMeaning() async throws {
        let fixture = try await SandboxFixture.start(Self.counts, faults: [FaultRule(.looseFieldTypes, everyNth: 1)])
        defer { Task { await fixture.stop() } }
        let loose = try await fixture.run(.full)
        #expect(loose.ok)
        let notes = try await fixture.test.store.pool.base.read { try String.fetchAll($0, sql: "SELECT notes FROM ghl_sync_jobs WHERE notes IS NOT NULL") }
        #expect(notes.contains { $0.contains("dateAdded is a number, expected a string") }, "\(notes)")
        #expect(notes.contains { $0.contains("amount is a string, expected a number") }, "\(notes)")
        let typed = try typedColumns(fixture)
        // The fault reshapes the first record of every page: one contact a page keeps its time as a number.
        let contactPages = try #require(loose.results.first { $0.entity == .contacts }?.pages)
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_contacts WHERE typeof(json_extract(raw, '$.dateAdded')) = 'integer'") == contactPages)
        fixture.sandbox.clearFaults()
        _ = try await fixture.run(.full)
        try fixture.expectEqualToSandbox()
        let clean = try typedColumns(fixture)
        for entity in Entity.allCases {
            let differing = clean[entity]!.filter { typed[entity]![$0.key] != $0.value }
            #expect(differing.isEmpty, "\(entity.rawValue): \(differing.first.map { "\($0.key): clean \($0.value), loose \(typed[entity]![$0.key] ?? "none")" } ?? "")")
        }
    }

    /// Every entity's typed columns (all but `raw` and the row's own times), per GHL id.
    func typedColumns(_ fixture: SandboxFixture) throws -> [Entity: [String: String]] {
        try fixture.test.store.pool.base.read { db in
            var result: [Entity: [String: String]] = [:]
            for entity in Entity.allCases {
                let columns = try db.columns(in: entity.table).map(\.name)
                    .filter { !["id", "raw", "created_at", "updated_at", "synced_at"].contains($0) }
                let rows = try Row.fetchAll(db, sql: "SELECT \(entity.idColumn) AS ghl, json_array(\(columns.joined(separator: ", "))) AS typed FROM \(entity.table)")
                result[entity] = Dictionary(uniqueKeysWithValues: rows.map { ($0["ghl"] as String, $0["typed"] as String) })
            }
            return result
        }
    }

    /// Whatever GHL's API does (rate limits, errors, cut connections, broken
    /// or oddly typed records), a full sync ends with every record it has.
    /// A 422 is not among them: it says the request is wrong, and is not retried (FaultTests);
    /// nor a record without an id, which cannot be stored and is reported instead (PagingTests).
    @Test(arguments: FaultKind.allCases.filter { ![.unprocessableEntity, .recordWithoutId].contains($0) })
    func aFullSyncUnderEveryFaultKindStoresEveryRecord(_ kind: FaultKind) async throws {
        let fixture = try await SandboxFixture.start(Self.counts, faults: [
            FaultRule(kind, everyNth: 3, delayMilliseconds: 20, retryAfterSeconds: 0)])
        defer { Task { await fixture.stop() } }
        let result = try await fixture.run(.full)
        #expect(result.ok, "\(kind): \(result.results.compactMap(\.error))")
        for entity in Entity.allCases {
            let stored = Set(try fixture.storedRecords(entity).keys)
            let expected = Set(try fixture.sandboxRecords(entity).keys)
            #expect(stored == expected, "\(kind) \(entity.rawValue): \(stored.count) stored of \(expected.count)")
        }
    }

    @Test func aFailedRunResumesFromItsLastCommittedPage() async throws {
        let fixture = try await SandboxFixture.start(Self.counts, retry: RetryPolicy(maxAttempts: 1))
        defer { Task { await fixture.stop() } }
        try fixture.sandbox.addFault(FaultRule(.internalServerError, everyNth: 3, path: "/contacts"))
        let first = try await fixture.run(.full, entities: [.contacts])
        #expect(!first.ok)
        #expect(first.results[0].pages == 2)
        fixture.sandbox.clearFaults()
        fixture.sandbox.resetCounters()
        let second = try await fixture.run(.full, entities: [.contacts])
        #expect(second.ok)
        #expect(second.results[0].pages == 6)
        #expect(fixture.requests == 4)
        try fixture.expectEqualToSandbox([.contacts])
        let notes = try fixture.test.row("SELECT notes FROM ghl_sync_jobs ORDER BY id DESC")?["notes"] as String?
        #expect(notes?.contains("resumed") == true)
    }

    @Test func oneRunPerSource() async throws {
        let fixture = try await SandboxFixture.start(Self.counts, faults: [FaultRule(.slow, everyNth: 1, delayMilliseconds: 30)])
        defer { Task { await fixture.stop() } }
        async let a = fixture.run(.full)
        try await Task.sleep(for: .milliseconds(20))
        #expect(fixture.engine.isRunning(sourceId: fixture.source.id))
        async let b = fixture.run(.full, entities: [.contacts])
        await #expect(throws: SyncError.self) { try await fixture.run(.incremental) }
        let (first, joined) = try await (a, b)
        #expect(first.ok && joined.ok)
        #expect(joined.results.map(\.entity) == [.contacts])
        #expect(joined.results[0].jobId == first.results[0].jobId)
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_sync_jobs") == 6)

        // Another live process holding the lease refuses the run.
        try await fixture.test.store.pool.base.write { db in
            try db.execute(sql: "INSERT INTO sync_leases VALUES (?, ?, ?, ?)", arguments: [
                fixture.source.id, SourceLease.owner(runId: "other"), Timestamp.string(), Timestamp.string()])
        }
        await #expect(throws: SyncError.self) { try await fixture.run(.full) }
    }
}
