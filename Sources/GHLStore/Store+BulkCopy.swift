import Foundation
import GRDB

extension Store {
    /// Copies every row of `entity`'s table from the ghlsync file at `path`,
    /// in the order they were written there, with one `INSERT ... SELECT`
    /// (after the sources this file lacks), and returns the rows copied.
    ///
    /// SQLite's own write speed for these rows on this machine, with this
    /// file's indexes and triggers and none of the sync around it: the ceiling
    /// the agency benchmark reports its sync against. For a new scratch file of
    /// the same schema; a row this file already has fails the copy, which then writes nothing.
    public func copyAllRows(of entity: Entity, from path: String) async throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(path) }
        return try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS copied", arguments: [path])
            defer { try? db.execute(sql: "DETACH DATABASE copied") }
            var copied = 0
            try db.inTransaction {
                try Self.copy("ghl_sources", keepingIds: true, conflict: "OR IGNORE", in: db)
                try Self.copy(entity.table, keepingIds: false, in: db)
                copied = db.changesCount
                return .commit
            }
            return copied
        }
    }

    /// `INSERT ... SELECT` of `table`'s rows from the attached file, in rowid
    /// order; without `keepingIds` each row gets this file's next rowid.
    private static func copy(_ table: String, keepingIds: Bool, conflict: String = "", in db: Database) throws {
        let names = try db.columns(in: table, in: "copied").map(\.name).filter { keepingIds || $0 != "id" }
        let columns = names.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        try db.execute(sql: "INSERT \(conflict) INTO main.\(table) (\(columns)) SELECT \(columns) FROM copied.\(table) ORDER BY rowid")
    }
}
