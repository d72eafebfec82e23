import Synchronization
import Testing
@testable import GHLStore

@Suite struct ReadOnlyQueryTests {
    private func run(_ store: Store, _ sql: String) async throws -> [[StoreValue]] {
        let rows = Mutex<[[StoreValue]]>([])
        try await store.query(ReadOnlyQuery(sql: sql), columns: { _ in }, row: { row in rows.withLock { $0.append(row) } })
        return rows.withLock { $0 }
    }

    @Test func selectsRun() async throws {
        let db = try TestDatabase()
        _ = try await db.addSource("a")
        #expect(try await run(db.store, "SELECT name FROM ghl_sources") == [["a"]])
    }

    @Test func writesAreRefusedAndChangeNothing() async throws {
        let db = try TestDatabase()
        _ = try await db.addSource("a")
        for sql in ["DELETE FROM ghl_sources", "UPDATE ghl_sources SET name = 'x'", "DROP TABLE ghl_contacts",
                    "INSERT INTO users (id, email, created_at) VALUES ('u', 'e', 'now')", "PRAGMA journal_mode = DELETE"] {
            await #expect(throws: StoreError.self, "\(sql)") { try await run(db.store, sql) }
        }
        #expect(try await run(db.store, "SELECT name FROM ghl_sources") == [["a"]])
    }

    @Test func invalidSQLAndUnknownViewAreClearErrors() async throws {
        let db = try TestDatabase()
        await #expect {
            try await run(db.store, "SELEC nonsense")
        } throws: { error in
            (error as? StoreError)?.description.hasPrefix("invalid SQL") == true
        }
        #expect(throws: StoreError.unknownView("v_nope")) { try ReadOnlyQuery.view("v_nope") }
        #expect(throws: StoreError.missingFile(db.path + ".missing")) { try Store.openExisting(path: db.path + ".missing") }
    }
}
