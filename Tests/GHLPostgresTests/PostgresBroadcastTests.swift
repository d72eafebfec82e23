import Foundation
import GHLPostgres
import Logging
import GHLStore
import PostgresNIO
import Testing

/// The broadcast trigger (`pg_v2_broadcast_changes`): on Supabase it calls
/// `realtime.broadcast_changes`; elsewhere it appends to the change table in
/// each topic's commit order, notifies once per transaction, and every
/// `PostgresChangeFeed` on the database reads every change.
@Suite struct PostgresBroadcastTests {
    @Test func withARealtimeSchemaTheTriggerCallsBroadcastChangesInsteadOfLogging() async throws {
        try await PostgresFixture.with(seeded: false) { (fixture: PostgresFixture) async throws in
            // Supabase's function, faked: it records its arguments.
            _ = try fixture.psql("""
                CREATE SCHEMA realtime;
                CREATE TABLE realtime.calls (n SERIAL, topic TEXT, event TEXT, operation TEXT, table_name TEXT,
                                             table_schema TEXT, new JSONB, old JSONB, level TEXT);
                CREATE FUNCTION realtime.broadcast_changes(topic_name text, event_name text, operation text, table_name text,
                                                           table_schema text, new record, old record, level text DEFAULT 'ROW')
                RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO realtime.calls (topic, event, operation, table_name, table_schema, new, old, level)
                    VALUES (topic_name, event_name, operation, table_name, table_schema, to_jsonb(new), to_jsonb(old), level);
                END $$;
                """)
            try await fixture.store.addSource(id: fixture.sourceA, name: "A", locationId: "loc-a")
            try await fixture.store.addContact(sourceId: fixture.sourceA, ghlContactId: "c1", name: "One", email: nil, raw: #"{"id": "c1"}"#)
            _ = try fixture.psql("UPDATE ghl_contacts SET email = 'one@example.com'; DELETE FROM ghl_contacts")
            let calls = try fixture.psql("""
                SELECT concat_ws('|', topic, event, operation, table_name, table_schema, level,
                                 coalesce(new ->> 'ghl_contact_id', new ->> 'id'), new -> 'raw' ->> 'id', new ->> 'email',
                                 old ->> 'email', old ->> 'ghl_contact_id')
                FROM realtime.calls ORDER BY n
                """)
            let topic = "ghl:\(fixture.sourceA)"
            #expect(calls == [
                "\(topic)|INSERT|INSERT|ghl_sources|public|ROW|\(fixture.sourceA)",
                "\(topic)|INSERT|INSERT|ghl_contacts|public|ROW|c1|c1",
                "\(topic)|UPDATE|UPDATE|ghl_contacts|public|ROW|c1|c1|one@example.com|c1",
                "\(topic)|DELETE|DELETE|ghl_contacts|public|ROW|one@example.com|c1",
            ])
            #expect(try fixture.psql("SELECT count(*) FROM ghlsync_changes") == ["0"])
        }
    }

    @Test func theChangeTableHoldsEachTopicsChangesInCommitOrderWithTheSeedsPayload() async throws {
        try await PostgresFixture.with(seeded: false) { (fixture: PostgresFixture) async throws in
            let (a, b) = (fixture.sourceA, fixture.sourceB)
            try await fixture.store.addSource(id: a, name: "A", locationId: "loc-a")
            try await fixture.store.addSource(id: b, name: "B", locationId: "loc-b")
            _ = try fixture.psql("""
                INSERT INTO ghl_contacts (source_id, ghl_contact_id, email, raw) VALUES
                    ('\(a)', 'c1', 'one@a', '{"id": "c1", "tags": ["x"]}'), ('\(b)', 'c9', NULL, '{"id": "c9"}'), ('\(a)', 'c2', NULL, '{"id": "c2"}');
                UPDATE ghl_contacts SET email = 'two@a' WHERE ghl_contact_id = 'c2';
                """)
            // A rolled-back transaction takes no seq: a topic's seqs have no gaps.
            _ = try fixture.psql("""
                BEGIN; INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw) VALUES ('\(a)', 'gone', '{}'); ROLLBACK;
                """, singleTransaction: false)
            _ = try fixture.psql("DELETE FROM ghl_contacts WHERE ghl_contact_id = 'c1'")

            let events = try await collect(5 + 2, from: PostgresChangeFeed(store: fixture.store).events(after: [:]))
            let inA = events.filter { $0.sourceId == a }
            #expect(inA.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(inA.map { "\($0.table) \($0.operation.rawValue)" } == [
                "ghl_sources INSERT", "ghl_contacts INSERT", "ghl_contacts INSERT", "ghl_contacts UPDATE", "ghl_contacts DELETE",
            ])
            #expect(events.filter { $0.sourceId == b }.map(\.seq) == [1, 2])
            #expect(events.allSatisfy { $0.topic == "ghl:\($0.sourceId)" && $0.timestamp.hasSuffix("Z") })
            // INSERT: only `new`, the row with its raw JSON inline; UPDATE: both; DELETE: only `old`.
            let inserted = try object(inA[1].new)
            #expect(inA[1].old == nil)
            #expect(inserted["ghl_contact_id"] as? String == "c1")
            #expect((inserted["raw"] as? [String: Any])?["tags"] as? [String] == ["x"])
            #expect(try object(inA[3].old)["email"] is NSNull)
            #expect(try object(inA[3].new)["email"] as? String == "two@a")
            #expect(inA[4].new == nil)
            #expect(try object(inA[4].old)["ghl_contact_id"] as? String == "c1")
        }
    }

    @Test func pruningKeepsTheChangesWithinTheAgeAndRowBoundsOldestFirst() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let all = Int(try fixture.psql("SELECT count(*) FROM ghlsync_changes")[0])!
            #expect(all == 2 + PostgresFixture.contactsInA + PostgresFixture.contactsInB, "two sources and their contacts")
            #expect(try await fixture.store.pruneChanges(ChangeLogBounds()) == 0)
            // Three changes of A four days old: past the 72 hours.
            _ = try fixture.psql("""
                UPDATE ghlsync_changes SET created_at = now() - interval '4 days'
                WHERE source_id = '\(fixture.sourceA)' AND seq <= 3
                """)
            #expect(try await fixture.store.pruneChanges(ChangeLogBounds()) == 3)
            #expect(try fixture.psql("SELECT min(seq) FROM ghlsync_changes WHERE source_id = '\(fixture.sourceA)'") == ["4"])
            // A row bound keeps the newest: B's last contacts, inserted last.
            #expect(try await fixture.store.pruneChanges(ChangeLogBounds(maxRows: 2)) == all - 3 - 2)
            let lastOfB = PostgresFixture.contactsInB + 1
            #expect(try fixture.psql("SELECT source_id || ':' || seq FROM ghlsync_changes ORDER BY seq")
                    == ["\(fixture.sourceB):\(lastOfB - 1)", "\(fixture.sourceB):\(lastOfB)"])
        }
    }

    /// The row bound cuts at the newest id minus the bound, a batch at a time;
    /// a rolled-back transaction's gap in the ids does not let more rows stay.
    @Test func theRowBoundKeepsTheNewestChangesInBatchesAcrossAGapInTheIds() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            #expect(throws: (any Error).self) { try fixture.psql("UPDATE ghl_contacts SET email = 'gone@example.com'; SELECT 1/0;") }
            for round in 1...3 { _ = try fixture.psql("UPDATE ghl_contacts SET email = 'round\(round)@example.com'") }
            let all = Int(try fixture.psql("SELECT count(*) FROM ghlsync_changes")[0])!
            var pruned = 0
            for _ in 0..<100 {
                let batch = try await fixture.store.pruneChanges(ChangeLogBounds(maxRows: 10), batch: 3)
                #expect(batch <= 3)
                if batch == 0 { break }
                pruned += batch
            }
            #expect(pruned == all - 10)
            // The last round's 8 changes and the 2 of the round before it, the newest 10 inserted.
            #expect(try fixture.psql("SELECT new ->> 'email', count(*) FROM ghlsync_changes GROUP BY 1 ORDER BY 1")
                    == ["round2@example.com|2", "round3@example.com|\(PostgresFixture.contactsInA + PostgresFixture.contactsInB)"])
        }
    }

    @Test func twoFeedsOnOneDatabaseBothSeeEveryChangeAsItCommits() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let first = PostgresChangeFeed(store: fixture.store)
            let start = try await first.position()
            #expect(start[fixture.sourceA] == Int64(1 + PostgresFixture.contactsInA))
            let secondStore = try PostgresStore(url: fixture.store.url)
            let second = PostgresChangeFeed(store: secondStore)
            async let seenByFirst = collect(6, from: first.events(after: start))
            async let seenBySecond = collect(6, from: second.events(after: start))
            // Listening before the writes is not needed: a feed reads from its position.
            for n in 0..<3 {
                try await fixture.store.addContact(sourceId: fixture.sourceA, ghlContactId: "new-a\(n)", name: "A\(n)", email: nil, raw: "{}")
                try await fixture.store.addContact(sourceId: fixture.sourceB, ghlContactId: "new-b\(n)", name: "B\(n)", email: nil, raw: "{}")
            }
            let (one, two) = try await (seenByFirst, seenBySecond)
            await secondStore.close()
            for seen in [one, two] {
                #expect(seen.filter { $0.sourceId == fixture.sourceA }.compactMap(\.seq)
                        == (1...3).map { Int64(1 + PostgresFixture.contactsInA + $0) })
                #expect(seen.filter { $0.sourceId == fixture.sourceB }.compactMap { try? object($0.new)["ghl_contact_id"] as? String }
                        == ["new-b0", "new-b1", "new-b2"])
            }
        }
    }

    /// A topic's open transaction holds back nothing of another topic: each
    /// change reaches the feed when its own transaction commits.
    @Test(.timeLimit(.minutes(1))) func aChangeIsReadWhenItCommitsWhateverAnotherTopicHasOpen() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let feed = PostgresChangeFeed(store: fixture.store)
            var events = feed.events(after: try await feed.position()).makeAsyncIterator()
            let open = try await fixture.connection()
            try await open.query("BEGIN", logger: Logger(label: "test"))
            try await open.query("""
                INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw) VALUES (\(fixture.sourceA), 'late', '{}')
                """, logger: Logger(label: "test"))
            try await fixture.store.addContact(sourceId: fixture.sourceB, ghlContactId: "early", name: "Early", email: nil, raw: "{}")
            let first = try #require(try await events.next())
            #expect(first.sourceId == fixture.sourceB && first.seq == Int64(2 + PostgresFixture.contactsInB))
            try await open.query("COMMIT", logger: Logger(label: "test"))
            let second = try #require(try await events.next())
            #expect(second.sourceId == fixture.sourceA && second.seq == Int64(2 + PostgresFixture.contactsInA))
            #expect(try object(second.new)["ghl_contact_id"] as? String == "late")
            try await open.close()
        }
    }

    @Test func aTransactionOfManyRowsNotifiesOnce() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let connection = try await fixture.connection()
            let payloads = try await connection.listen(on: PostgresChangeFeed.channel) { notices in
                _ = try fixture.psql("""
                    INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw)
                    SELECT '\(fixture.sourceA)', 'bulk' || n, '{}' FROM generate_series(1, 50) n
                    """)
                _ = try fixture.psql("UPDATE ghl_contacts SET email = 'x' WHERE ghl_contact_id = 'bulk1'")
                // Notices arrive in commit order: this one comes after every notice of the writes.
                _ = try fixture.psql("NOTIFY \(PostgresChangeFeed.channel), 'end'")
                var payloads: [String] = []
                for try await notice in notices {
                    payloads.append(notice.payload)
                    if notice.payload == "end" { break }
                }
                return payloads
            }
            try await connection.close()
            #expect(payloads == ["", "", "end"])
        }
    }

    /// The first `count` events of `stream`; fails rather than waits for ever.
    private func collect(_ count: Int, from stream: AsyncThrowingStream<ChangeEvent, Error>) async throws -> [ChangeEvent] {
        try await withThrowingTaskGroup(of: [ChangeEvent]?.self) { group in
            group.addTask {
                var events: [ChangeEvent] = []
                for try await event in stream {
                    events.append(event)
                    if events.count == count { break }
                }
                return events
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return try #require(first, "fewer than \(count) events came")
        }
    }

    private func object(_ json: String?) throws -> [String: Any] {
        let text = try #require(json)
        return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
