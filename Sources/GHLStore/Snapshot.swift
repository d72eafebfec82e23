import Foundation
import GRDB

extension Store {
    /// The tables that say who may sign in and see what: left out of a
    /// snapshot made `withoutUsers`, so the copy carries no password hashes.
    static let accountTables = ["auth_sessions", "user_sources", "users"]

    /// Writes a consistent copy of the file to `path` while others keep writing.
    ///
    /// `VACUUM INTO` copies one read transaction's view of the file (the WAL's
    /// committed frames included), on a reader, so the writer never waits.
    /// The copy is put in rollback-journal mode: one self-contained file that
    /// opens without a `-wal` beside it. `withoutUsers` then deletes the
    /// accounts and vacuums the copy again, so no deleted page keeps a hash.
    public func snapshot(to path: String, withoutUsers: Bool) async throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.invalidInput("\(path) already exists; a snapshot never overwrites a file")
        }
        do {
            try await pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
            let copy = try DatabaseQueue(path: path)
            try await copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                guard withoutUsers else { return }
                try db.inTransaction {
                    for table in Self.accountTables { try db.execute(sql: "DELETE FROM \(table)") }
                    return .commit
                }
                try db.execute(sql: "VACUUM")
            }
            try copy.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: path)
            throw StoreError.invalidInput("cannot write the snapshot \(path): \(error.message ?? "\(error)")")
        }
    }
}
