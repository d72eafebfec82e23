import Foundation
import GRDB
import Testing
@testable import GHLStore

/// `Store.copyAllRows`: the agency benchmark's ceiling copies a file's rows whole, in their order.
@Suite struct BulkCopyTests {
    /// Every column of the contacts but the rowid, in written order.
    private func contacts(_ store: Store) async throws -> [[StoreValue]] {
        let columns = try await store.columns(of: .contacts).filter { $0 != "id" }
        return try await store.rows(of: .contacts, columns: columns, after: 0, limit: 1_000).rows
    }

    @Test func copiesEveryRowInOrderWithItsSources() async throws {
        let from = try TestDatabase(), into = try TestDatabase()
        let first = try await from.addSource("a"), second = try await from.addSource("b")
        try await from.store.upsert(.contacts, sourceId: first, records: (1...30).map { record("c\($0)", ["email": "c\($0)@example.com"]) })
        try await from.store.upsert(.contacts, sourceId: second, records: (1...20).map { record("c\($0)", ["city": "Köln \($0)"]) })
        try await from.store.upsert(.orders, sourceId: first, records: [record("o1", ["amount": 5.5])])
        _ = try await into.addSource("own")

        #expect(try await into.store.copyAllRows(of: .contacts, from: from.path) == 50)
        let copied = try await contacts(into.store)
        #expect(copied.count == 50)
        #expect(copied == (try await contacts(from.store)))
        // The records' sources came along, beside the file's own; other tables did not.
        let sources = try await into.store.pool.base.read { try String.fetchSet($0, sql: "SELECT id FROM ghl_sources") }
        #expect(sources.isSuperset(of: [first, second]) && sources.count == 3)
        #expect(try await into.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ghl_orders") } == 0)
    }

    @Test func aSecondCopyFailsWholeAndAMissingFileIsNamed() async throws {
        let from = try TestDatabase(), into = try TestDatabase()
        let source = try await from.addSource("a")
        try await from.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "c1@example.com"])])
        #expect(try await into.store.copyAllRows(of: .contacts, from: from.path) == 1)

        // Each failed copy detaches the file: the next fails on the rows again, not on an attached name.
        for _ in 1...2 {
            let error = await #expect(throws: DatabaseError.self) { try await into.store.copyAllRows(of: .contacts, from: from.path) }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT, "\(String(describing: error))")
        }
        #expect(try await contacts(into.store).count == 1)
        let missing = from.directory.appendingPathComponent("none.sqlite").path
        await #expect(throws: StoreError.missingFile(missing)) { try await into.store.copyAllRows(of: .contacts, from: missing) }
    }
}
