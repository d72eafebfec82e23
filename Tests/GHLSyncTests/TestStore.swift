import Foundation
@testable import GHLStore
import GHLStoreTestSupport
import GRDB

/// A `TempStore` for the sync's tests, removed by `cleanup()`, with point reads of the file.
struct TestStore {
    let temp: TempStore
    var directory: URL { temp.directory }
    var store: Store { temp.store }

    init(lockPatience: TimeInterval = WriteTurn.patience) throws {
        temp = try TempStore("sync", lockPatience: lockPatience)
    }

    func cleanup() {
        temp.remove()
    }

    /// A source at an address where nothing listens unless the test says otherwise.
    func addSource(locationId: String, apiBase: String = "http://127.0.0.1:1", tokenEnv: String = "GHL_TEST_TOKEN") async throws -> Source {
        try await temp.addSource(name: "Test \(locationId)", locationId: locationId, apiBase: apiBase, tokenEnv: tokenEnv)
    }

    func int(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try store.pool.base.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    func row(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try store.pool.base.read { db in try Row.fetchOne(db, sql: sql, arguments: arguments) }
    }
}
