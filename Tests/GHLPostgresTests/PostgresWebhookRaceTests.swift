import Foundation
import GHLPostgres
import GHLStore
import Logging
import PostgresNIO
import Testing

/// A webhook delivery and a sync page that change one record at once
/// (`PostgresStore+Webhooks.swift`): the sync takes no advisory lock, so only
/// the intake's row lock keeps it from merging onto a row the page replaces.
@Suite struct PostgresWebhookRaceTests {
    /// The interleaving is forced, not hoped for: the page writes the contact
    /// and waits (on a lease row the test holds) before it commits; the
    /// webhook is then started and waits on the contact's row, whether at its
    /// read (`FOR UPDATE`) or only at its write (a plain read, which took the
    /// committed version before the page's); then the page commits.
    @Test(.timeLimit(.minutes(1))) func aWebhookMergesOntoTheRowASyncPageCommittedUnderIt() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let logger = Logger(label: "test")
            let store = fixture.store
            let lease = SourceLease(sourceId: fixture.sourceA, owner: SourceLease.owner(runId: "race"))
            #expect(try await store.acquire(lease) == nil)
            let job = try await store.startSyncJob(sourceId: fixture.sourceA, entity: .contacts, mode: .full, runId: "race")
            let blocker = try await fixture.connection()
            let watcher = try await fixture.connection()
            /// Waits until `count` of the database's sessions wait on a lock.
            func waitForLockWaits(_ count: Int) async throws {
                for _ in 0..<3000 {
                    let rows = try await watcher.query("""
                        SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                        """, logger: logger)
                    for try await waiting in rows.decode(Int.self) where waiting >= count { return }
                    try await Task.sleep(for: .milliseconds(10))
                }
                Issue.record("\(count) sessions never waited on a lock")
            }

            try await blocker.query("BEGIN", logger: logger)
            try await blocker.query("SELECT 1 FROM sync_leases WHERE source_id = \(fixture.sourceA) FOR UPDATE", logger: logger)
            let newer = #"{"email": "newer@example.com", "id": "c0"}"#
            let page = Task {
                try await store.commitSyncPage(Store.SyncPage(
                    entity: .contacts, sourceId: fixture.sourceA,
                    records: [EntityRecord(ghlId: "c0", values: [:], raw: newer, ghlCreatedAt: nil, ghlUpdatedAt: "2026-01-02T00:00:00.000Z")],
                    outOfScope: [], seen: nil, cursor: "{}", job: job.id, progress: SyncJobProgress(records: 1, pages: 1), lease: lease))
            }
            try await waitForLockWaits(1)

            // A tag update: the stored raw with the tag added, as the intake merges it.
            let delivery = WebhookDelivery(webhookId: "wh-race", eventType: "ContactTagUpdate", locationId: "loc-a", change: .upsert(
                .contacts, ghlId: "c0", decide: { stored, _ in
                    let raw = try #require(stored?.raw)
                    return .write(EntityRecord(ghlId: "c0", values: [:], raw: #"{"tags": ["vip"], "# + raw.dropFirst(),
                                               ghlCreatedAt: nil, ghlUpdatedAt: "2026-01-02T00:00:01.000Z"))
                }))
            let webhook = Task { try await store.receiveWebhook(delivery, at: Date()) }
            try await waitForLockWaits(2)
            try await blocker.query("COMMIT", logger: logger)
            try await page.value
            #expect(try await webhook.value.writes == [.upserted])

            let raw = try #require(try await store.liveRaw(.contacts, sourceId: fixture.sourceA)["c0"])
            #expect(raw.contains("newer@example.com"), "the page's email was overwritten: \(raw)")
            #expect(raw.contains("vip"), "the webhook's tag is missing: \(raw)")
            try await blocker.close()
            try await watcher.close()
        }
    }
}
