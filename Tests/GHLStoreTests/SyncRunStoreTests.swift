import Foundation
import GRDB
import Testing
@testable import GHLStore

/// The store APIs the sync writes through: jobs, leases, cursors, page
/// commits with the deletion sweep, schedules and live-row reads.
@Suite struct SyncRunStoreTests {
    private func jobRow(_ db: TestDatabase, _ id: Int64) throws -> Row {
        try #require(try db.store.pool.base.read { try Row.fetchOne($0, sql: "SELECT * FROM ghl_sync_jobs WHERE id = ?", arguments: [id]) })
    }

    @Test func jobsAreNumberedPerSourceAndFinishWithTheirFigures() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a"), b = try await db.addSource("b")
        let first = try await db.store.startSyncJob(sourceId: a, entity: .contacts, mode: .full, runId: "r1")
        let second = try await db.store.startSyncJob(sourceId: a, entity: .orders, mode: .incremental, runId: "r1")
        let other = try await db.store.startSyncJob(sourceId: b, entity: .contacts, mode: .full, runId: "r2")
        #expect([first.number, second.number, other.number] == [1, 2, 1])
        #expect(try jobRow(db, second.id)["job_type"] as String == "orders")
        #expect(try jobRow(db, second.id)["status"] as String == "running")

        try await db.store.finishSyncJob(first.id, SyncJobProgress(records: 7, pages: 2, requests: 3, total: 9, skipped: 1),
                                   mode: .incremental, error: nil, notes: "note")
        let done = try jobRow(db, first.id)
        #expect(done["status"] as String == "completed")
        #expect(done["records_processed"] as Int == 7 && done["pages"] as Int == 2 && done["requests"] as Int == 3)
        #expect(done["records_total"] as Int == 9 && done["records_skipped"] as Int == 1)
        #expect(done["mode"] as String == "incremental" && done["notes"] as String == "note")
        #expect(done["completed_at"] as String? != nil)

        try await db.store.finishSyncJob(second.id, SyncJobProgress(), mode: nil, error: "boom", notes: nil)
        #expect(try jobRow(db, second.id)["status"] as String == "failed")
        #expect(try jobRow(db, second.id)["mode"] as String == "incremental")
    }

    @Test func interruptedJobsOfOtherRunsAreClosed() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a"), b = try await db.addSource("b")
        let killed = try await db.store.startSyncJob(sourceId: a, entity: .contacts, mode: .full, runId: "old")
        let current = try await db.store.startSyncJob(sourceId: a, entity: .orders, mode: .full, runId: "new")
        let elsewhere = try await db.store.startSyncJob(sourceId: b, entity: .contacts, mode: .full, runId: "old")
        try await db.store.closeInterruptedSyncJobs(sourceId: a, resumedBy: "new")
        #expect(try jobRow(db, killed.id)["status"] as String == "failed")
        #expect((try jobRow(db, killed.id)["error"] as String).contains("run new resumed"))
        #expect(try jobRow(db, current.id)["status"] as String == "running")
        #expect(try jobRow(db, elsewhere.id)["status"] as String == "running")
    }

    @Test func aLeaseIsHeldUntilReleasedAndStaleOnesAreTakenOver() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        // Another host's owner: only its heartbeat says whether it still runs.
        let mine = SourceLease(sourceId: a, owner: "elsewhere:1:mine")
        let theirs = SourceLease(sourceId: a, owner: "elsewhere:2:theirs")
        let start = Date()
        #expect(try await db.store.acquire(mine, at: start) == nil)
        #expect(try await db.store.acquire(mine, at: start) == nil)
        #expect(try await db.store.acquire(theirs, at: start.addingTimeInterval(10)) == "elsewhere:1:mine")
        #expect(try await db.store.leaseHolder(of: a, at: start.addingTimeInterval(10)) == "elsewhere:1:mine")
        #expect(try await db.store.acquire(theirs, at: start.addingTimeInterval(SourceLease.defaultStaleAfter + 1)) == nil)
        try await db.store.release(mine)
        #expect(try await db.store.leaseHolder(of: a, at: start.addingTimeInterval(SourceLease.defaultStaleAfter + 2)) == "elsewhere:2:theirs")
        try await db.store.release(theirs)
        #expect(try await db.store.leaseHolder(of: a) == nil)
    }

    @Test func aLeaseOfAProcessOfThisHostThatEndedIsFree() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        let gone = SourceLease(sourceId: a, owner: "\(ProcessInfo.processInfo.hostName):\(Int32.max):old")
        #expect(try await db.store.acquire(gone) == nil)
        #expect(try await db.store.leaseHolder(of: a) == nil)
        let live = SourceLease(sourceId: a, owner: SourceLease.owner(runId: "now"))
        #expect(try await db.store.acquire(live) == nil)
        #expect(try await db.store.leaseHolder(of: a) == live.owner)
    }

    @Test func pagesCommitRowsSeenIdsCursorProgressAndHeartbeatAndTheSweepMarksTheUnseen() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        try await db.store.upsert(.contacts, sourceId: a, records: ["gone", "kept", "leaving"].map { record($0, ["email": "\($0)@x.test"]) })
        let lease = SourceLease(sourceId: a, owner: "elsewhere:1:run")
        #expect(try await db.store.acquire(lease, at: Date().addingTimeInterval(-60)) == nil)
        let job = try await db.store.startSyncJob(sourceId: a, entity: .contacts, mode: .full, runId: "run")
        #expect(try await db.store.syncCursor(sourceId: a, entity: .contacts) == nil)

        try await db.store.beginSyncRun(.contacts, sourceId: a, cursor: "begun", sweeping: true)
        #expect(try await db.store.syncCursor(sourceId: a, entity: .contacts) == "begun")
        try await db.store.commitSyncPage(Store.SyncPage(
            entity: .contacts, sourceId: a, records: [record("kept", ["email": "kept@x.test"]), record("new", ["email": "n@x.test"])],
            outOfScope: ["leaving"], seen: ["kept", "new", "leaving"], cursor: "page 1", job: job.id,
            progress: SyncJobProgress(records: 2, pages: 1, requests: 1), lease: lease))
        #expect(try await db.store.syncCursor(sourceId: a, entity: .contacts) == "page 1")
        #expect(try jobRow(db, job.id)["records_processed"] as Int == 2)
        #expect(try await db.store.leaseHolder(of: a) == lease.owner, "the page renewed the heartbeat")
        #expect(try await db.store.liveCount(.contacts, sourceId: a) == 3)
        #expect(try await db.store.liveRaw(.contacts, sourceId: a).keys.sorted() == ["gone", "kept", "new"])

        let swept = try await db.store.finishSyncRun(.contacts, sourceId: a, cursor: "done", sweep: SyncFilter())
        #expect(swept == 1)
        #expect(try await db.store.syncCursor(sourceId: a, entity: .contacts) == "done")
        let reasons = try await db.store.pool.base.read {
            try Dictionary(uniqueKeysWithValues: Row.fetchAll($0, sql: "SELECT ghl_contact_id, deleted_reason FROM ghl_contacts").map {
                ($0["ghl_contact_id"] as String, $0["deleted_reason"] as String?)
            })
        }
        #expect(reasons == ["gone": "deleted", "kept": nil, "new": nil, "leaving": "out_of_scope"])
        #expect(try await db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sync_seen") } == 0)
    }

    @Test func aRunWithoutSweepKeepsUnseenRowsAndStartsWithNoSeenIds() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a")
        try await db.store.upsert(.contacts, sourceId: a, records: [record("old", ["email": "o@x.test"])])
        try await db.store.pool.base.write { try $0.execute(sql: "INSERT INTO sync_seen (source_id, entity, ghl_id) VALUES (?, 'contacts', 'old')", arguments: [a]) }
        try await db.store.beginSyncRun(.contacts, sourceId: a, cursor: "c", sweeping: true)
        #expect(try await db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sync_seen") } == 0)
        #expect(try await db.store.finishSyncRun(.contacts, sourceId: a, cursor: "c2", sweep: nil) == nil)
        #expect(try await db.store.liveCount(.contacts, sourceId: a) == 1)
    }

    @Test func dueSourcesAreScheduledActiveAndPastTheirInterval() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a"), b = try await db.addSource("b")
        _ = try await db.addSource("c")
        let updated = try await db.store.setSchedule(sourceId: a, interval: 900, mode: .full)
        #expect(updated.syncIntervalSeconds == 900 && updated.syncMode == "full")
        _ = try await db.store.setSchedule(sourceId: b, interval: 900, mode: nil)
        _ = try await db.store.startSyncJob(sourceId: b, entity: .contacts, mode: .full, runId: "r")
        #expect(try await db.store.dueSources().map(\.id) == [a], "b ran just now; c has no schedule")
        #expect(try await db.store.dueSources(now: Date().addingTimeInterval(901)).map(\.id) == [a, b])
        #expect(try await db.store.setSchedule(sourceId: a, interval: nil, mode: nil).syncMode == "full")
        #expect(try await db.store.dueSources(now: Date().addingTimeInterval(901)).map(\.id) == [b])
        await #expect(throws: StoreError.unknownSource("nope")) { try await db.store.setSchedule(sourceId: "nope", interval: 60, mode: nil) }
    }
}
