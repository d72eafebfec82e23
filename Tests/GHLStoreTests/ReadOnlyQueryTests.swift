import Testing
@testable import GHLStore

@Suite struct ReadOnlyQueryTests {
    private func run(_ store: Store, _ sql: String) throws -> [[StoreValue]] {
        var rows: [[StoreValue]] = []
        try store.query(ReadOnlyQuery(sql: sql), columns: { _ in }, row: { rows.append($0) })
        return rows
    }

    @Test func selectsRun() throws {
        let db = try TestDatabase()
        _ = try db.addSource("a")
        #expect(try run(db.store, "SELECT name FROM ghl_sources") == [["a"]])
    }

    @Test func writesAreRefusedAndChangeNothing() throws {
        let db = try TestDatabase()
        _ = try db.addSource("a")
        for sql in ["DELETE FROM ghl_sources", "UPDATE ghl_sources SET name = 'x'", "DROP TABLE ghl_contacts",
                    "INSERT INTO users (id, email, created_at) VALUES ('u', 'e', 'now')", "PRAGMA journal_mode = DELETE"] {
            #expect(throws: StoreError.self, "\(sql)") { try run(db.store, sql) }
        }
        #expect(try run(db.store, "SELECT name FROM ghl_sources") == [["a"]])
    }

    @Test func invalidSQLAndUnknownViewAreClearErrors() throws {
        let db = try TestDatabase()
        #expect {
            try run(db.store, "SELEC nonsense")
        } throws: { error in
            (error as? StoreError)?.description.hasPrefix("invalid SQL") == true
        }
        #expect(throws: StoreError.unknownView("v_nope")) { try ReadOnlyQuery.view("v_nope") }
        #expect(throws: StoreError.missingFile(db.path + ".missing")) { try Store.openExisting(path: db.path + ".missing") }
    }
}
