import Foundation
import GHLStoreTestSupport
import GRDB
@testable import GHLStore

/// A fresh file with two sources, A and B, each holding rows in every scoped
/// table and feeding every reporting view; user "user-a" has a grant on A and
/// "user-b" on B. Values differ per source so a leak is visible.
struct TwoSourceFixture {
    let directory: URL
    let store: Store
    let sourceA: String
    let sourceB: String
    var scopeA: AccessScope { AccessScope(userId: "user-a", sourceIds: [sourceA]) }
    var scopeB: AccessScope { AccessScope(userId: "user-b", sourceIds: [sourceB]) }

    init() async throws {
        let temp = try TempStore("two-sources")
        (directory, store) = (temp.directory, temp.store)
        sourceA = try await temp.addSource(name: "Alpha", locationId: "loc-a", tokenEnv: "A_TOKEN").id
        sourceB = try await temp.addSource(name: "Beta", locationId: "loc-b", tokenEnv: "B_TOKEN").id
        for (source, user) in [(sourceA, "user-a"), (sourceB, "user-b")] {
            try await Self.fill(store, source: source, user: user)
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// One row per entity, wired so that every view has a row for the source.
    static func fill(_ store: Store, source: String, user: String, suffix: String = "") async throws {
        let tag = source.prefix(8) + suffix
        func record(_ id: String, _ values: [String: DatabaseValue]) -> EntityRecord {
            EntityRecord(ghlId: id, values: values.mapValues(StoreValue.init), raw: "{\"id\":\"\(id)\",\"tag\":\"\(tag)\"}",
                         ghlCreatedAt: "2024-05-01T10:00:00.000Z", ghlUpdatedAt: "2024-05-02T10:00:00.000Z")
        }
        try await store.upsert(.contacts, sourceId: source, records: [
            record("c1\(suffix)", ["first_name": "Contact \(tag)".databaseValue, "email": "c@\(tag).test".databaseValue])])
        try await store.upsert(.pipelines, sourceId: source, records: [
            record("p1", ["name": "Pipe \(tag)".databaseValue,
                          "stages": #"[{"id":"s1","name":"New"},{"id":"s2","name":"Won"}]"#.databaseValue])])
        try await store.upsert(.opportunities, sourceId: source, records: [
            record("o1\(suffix)", ["name": "Deal \(tag)".databaseValue, "pipeline_id": "p1".databaseValue,
                                   "pipeline_stage_id": "s2".databaseValue, "status": "won".databaseValue,
                                   "monetary_value": 100.0.databaseValue, "contact_id": "c1".databaseValue,
                                   "last_status_change_at": "2024-05-03T10:00:00.000Z".databaseValue])])
        try await store.upsert(.orders, sourceId: source, records: [
            record("r1\(suffix)", ["status": "completed".databaseValue, "amount": 50.0.databaseValue, "currency": "USD".databaseValue])])
        try await store.upsert(.payments, sourceId: source, records: [
            record("y1\(suffix)", ["status": "succeeded".databaseValue, "amount": 20.0.databaseValue, "currency": "USD".databaseValue])])
        try await store.upsert(.reviews, sourceId: source, records: [
            record("v1\(suffix)", ["rating": 4.0.databaseValue, "headline": "Review \(tag)".databaseValue])])
        try await store.pool.base.write { db in
            let now = Timestamp.string()
            try db.execute(sql: """
                INSERT INTO ghl_sync_jobs (source_id, job_type, status, started_at, completed_at, created_at)
                VALUES (?, 'contacts', 'completed', ?, ?, ?)
                """, arguments: [source, now, now, now])
            try db.execute(sql: "INSERT OR IGNORE INTO users (id, email, created_at) VALUES (?, ?, ?)",
                           arguments: [user, "\(user)@example.com", now])
            try db.execute(sql: "INSERT OR IGNORE INTO user_sources (user_id, source_id, role, created_at) VALUES (?, ?, 'viewer', ?)",
                           arguments: [user, source, now])
        }
    }

    /// The values of `column` in every row of a scoped result.
    static func values(_ rows: ScopedRows, _ column: String) -> [String?] {
        guard let index = rows.columns.firstIndex(of: column) else { return [] }
        return rows.rows.map { String.fromDatabaseValue($0[index]) }
    }
}
