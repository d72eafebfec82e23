import Foundation
import GHLPostgres
import GHLStore
import Logging
import PostgresNIO
import Testing

/// What `PostgresChangeFeed` hands the realtime service: payloads a viewer of
/// one source may see (ids never counted across all sources), a warm-up whose
/// cached run of each topic has no gap, and a connection closed when it fails.
@Suite struct PostgresChangeFeedTests {
    @Test func aPayloadsIdIsTheRecordsGHLIdOrTheJobsNumberNeverTheSharedIdentity() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let (a, b) = (fixture.sourceA, fixture.sourceB)
            let feed = PostgresChangeFeed(store: fixture.store)
            let start = try await feed.position()
            // B's rows taken between A's: their identities leave gaps in A's.
            _ = try fixture.psql("""
                INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw) SELECT '\(b)', 'b' || n, '{}' FROM generate_series(1, 9) n;
                INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw) VALUES ('\(a)', 'ghl-a1', '{}');
                INSERT INTO ghl_sync_jobs (source_id, job_type, status, started_at, source_job_number)
                SELECT '\(b)', 'contacts', 'running', now(), n FROM generate_series(1, 9) n;
                INSERT INTO ghl_sync_jobs (source_id, job_type, status, started_at, source_job_number)
                VALUES ('\(a)', 'contacts', 'running', now(), 1);
                UPDATE ghl_contacts SET email = 'a1@a' WHERE ghl_contact_id = 'ghl-a1';
                DELETE FROM ghl_sync_jobs WHERE source_id = '\(a)';
                """)
            var inA: [ChangeEvent] = []
            for try await event in feed.events(after: start) where event.sourceId == a {
                inA.append(event)
                if inA.count == 4 { break }
            }
            #expect(inA.map { "\($0.table) \($0.operation.rawValue)" }
                        == ["ghl_contacts INSERT", "ghl_sync_jobs INSERT", "ghl_contacts UPDATE", "ghl_sync_jobs DELETE"])
            #expect(try object(inA[0].new)["id"] as? String == "ghl-a1")
            #expect(try object(inA[1].new)["id"] as? Int == 1)
            #expect(try object(inA[2].old)["id"] as? String == "ghl-a1")
            #expect(try object(inA[2].new)["id"] as? String == "ghl-a1")
            #expect(try object(inA[3].old)["id"] as? Int == 1)
        }
    }

    @Test func theWarmUpCachesEachTopicsNewestChangesBySeqWithoutAGap() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let (a, b) = (fixture.sourceA, fixture.sourceB)
            // A's later seqs from transactions that began earlier: `created_at` is
            // a transaction's start, so it need not follow a topic's commit order.
            _ = try fixture.psql("UPDATE ghlsync_changes SET created_at = now() - seq * interval '1 minute' WHERE source_id = '\(a)'")
            let (recent, lastSeqs) = try await PostgresChangeFeed(store: fixture.store).snapshot(recent: 4)
            let lastA = Int64(1 + PostgresFixture.contactsInA), lastB = Int64(1 + PostgresFixture.contactsInB)
            #expect(lastSeqs == [a: lastA, b: lastB])
            #expect(recent.filter { $0.sourceId == a }.map { $0.seq ?? 0 } == [lastA - 1, lastA])
            #expect(recent.filter { $0.sourceId == b }.map { $0.seq ?? 0 } == [lastB - 1, lastB])
        }
    }

    @Test func aFeedThatFailsClosesItsConnection() async throws {
        try await PostgresFixture.with(seeded: false) { (fixture: PostgresFixture) async throws in
            // Its first read fails: the table of topics is gone.
            _ = try fixture.psql("ALTER TABLE ghlsync_change_topics RENAME TO ghlsync_change_topics_gone")
            await #expect(throws: (any Error).self) {
                for try await _ in PostgresChangeFeed(store: fixture.store).events(after: [:]) {}
            }
            // The connection that listened is closed.
            #expect(try await fixture.backendsSettled(runningQueryLike: "%FROM ghlsync_change_topics%") == 0)
        }
    }

    private func object(_ json: String?) throws -> [String: Any] {
        let text = try #require(json)
        return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
