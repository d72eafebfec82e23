import Foundation
import GHLStore
import Synchronization
import Testing

/// Numbers shared by every source would let A's users count B's activity.
/// What reaches them is numbered per source, or is GHL's own id.
@Suite struct SideChannelAttacks {
    /// The realtime broadcast of a change carries the record's GHL id as its
    /// `id`, not the file's rowid (which counts B's inserts).
    @Test func changeEventsCarryNoFileWideRowId() async throws {
        let fixture = try await AttackFixture()
        defer { fixture.base.remove() }
        let events = Mutex<[ChangeEvent]>([])
        try await fixture.base.store.onCommit { batch in events.withLock { $0 += batch } }
        try await fixture.bActivity()
        try await fixture.base.store.upsert(.contacts, sourceId: fixture.a, records: [
            Fixture.contact("a9", first: "New", last: "Contact", email: nil, updated: "2024-07-01T10:00:00.000Z")])
        try await fixture.base.store.pollChanges()
        let mine = events.withLock { $0 }.filter { $0.sourceId == fixture.a && $0.table == "ghl_contacts" }
        #expect(mine.count == 1)
        let payload = try #require(try JSONSerialization.jsonObject(with: Data((mine.first?.new ?? "{}").utf8)) as? [String: Any])
        #expect(payload["id"] as? String == "a9")
        #expect(fixture.leaks(mine.map { "\($0.old ?? "") \($0.new ?? "")" }.joined()).isEmpty)
    }

    /// A's job ids do not move when B runs jobs, through every reading path.
    @Test func jobIdsCountOnlyTheSourcesOwnJobs() async throws {
        let fixture = try await AttackFixture()
        let scope = try await fixture.base.auth.accounts.store.accessScope(of: fixture.viewerId)
        let reader = ScopedReader(store: fixture.base.store)
        let sql = "SELECT (SELECT group_concat(id) FROM ghl_sync_jobs), (SELECT group_concat(job_id) FROM v_ghl_sync_status)"
        let before = try reader.fetchNow(sql, scope: scope).rows
        #expect(before == [["1".databaseValue, "1".databaseValue]])
        for round in 1...3 { try await fixture.bActivity(round) }
        #expect(try reader.fetchNow(sql, scope: scope).rows == before)
        try fixture.addJobs(source: fixture.a, count: 1)
        #expect(try reader.fetchNow(sql, scope: scope).rows == [["1,2".databaseValue, "2".databaseValue]])
        try await fixture.base.test { client in
            let response = try await client.execute(uri: "/rest/v1/v_ghl_sync_status?select=job_id", method: .get,
                                                    headers: RouterTests.bearer(fixture.base.viewer))
            #expect(String(buffer: response.body).replacingOccurrences(of: " ", with: "") == #"[{"job_id":2}]"#)
        }
    }
}
