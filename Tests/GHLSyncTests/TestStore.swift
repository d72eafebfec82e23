import Foundation
import GHLStore
import GRDB

/// A fresh ghlsync file in a temporary directory, removed by `cleanup()`.
struct TestStore {
    let directory: URL
    let store: Store

    init(lockPatience: TimeInterval = WriteTurn.patience) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("test.sqlite").path, lockPatience: lockPatience)
    }

    func cleanup() {
        try? FileManager.default.removeItem(at: directory)
    }

    func addSource(locationId: String, apiBase: String = "http://127.0.0.1:1", tokenEnv: String = "GHL_TEST_TOKEN") throws -> Source {
        try store.addSource(name: "Test \(locationId)", locationId: locationId, apiBase: apiBase, tokenEnv: tokenEnv, tokenFile: nil)
    }

    func int(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    func row(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try store.pool.read { db in try Row.fetchOne(db, sql: sql, arguments: arguments) }
    }
}
