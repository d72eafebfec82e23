import Foundation
import GRDB
import Testing
@testable import GHLStore

/// The migrated schema compared with a committed snapshot, so that a change
/// to a frozen migration (or to anything it once read) cannot slip by: files
/// already in use were made by those migrations as they were.
@Suite struct SchemaSnapshotTests {
    static let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots/schema.sql")

    /// `sqlite_master` of a file made by the migrator alone (the reporting
    /// views are installed on open, not migrated), sorted by type and name,
    /// each object's SQL as SQLite stored it, after the migrations' names.
    static func dump(upTo version: String? = nil) throws -> String {
        let queue = try DatabaseQueue()
        if let version {
            try Schema.migrator.migrate(queue, upTo: version)
        } else {
            try Schema.migrator.migrate(queue)
        }
        return try queue.read { db in
            let applied = try Schema.migrator.appliedMigrations(db)
            let objects = try Row.fetchAll(db, sql: """
                SELECT type, name, sql FROM sqlite_master
                WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                ORDER BY type, name
                """)
            let header = applied.map { "-- migration \($0)" }
            let body = objects.map { "-- \($0["type"] as String) \($0["name"] as String)\n\($0["sql"] as String);" }
            return (header + body).joined(separator: "\n") + "\n"
        }
    }

    @Test func migratedSchemaMatchesTheCommittedSnapshot() throws {
        let current = try Self.dump()
        if ProcessInfo.processInfo.environment["GHLSYNC_WRITE_SCHEMA_SNAPSHOT"] == "1" {
            try current.write(to: Self.snapshot, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.snapshot, encoding: .utf8)
        #expect(current == committed, """
            The migrated schema differs from Tests/GHLStoreTests/Snapshots/schema.sql.
            A registered migration must never change: files in use were made by it. If you added a \
            migration on purpose, regenerate the snapshot and review its diff:
            GHLSYNC_WRITE_SCHEMA_SNAPSHOT=1 swift test --filter SchemaSnapshotTests
            """)
    }
}
