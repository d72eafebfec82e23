import CSQLiteConfig
import GHLJSON
import GRDB

/// The store's writer logging a page's new rows in one statement instead of
/// one INSERT trigger per row (a trigger's sub-program costs about 5 us a row
/// before it writes anything), with the triggers switched off on its own
/// connection only meanwhile. The triggers stay the definition of what gets
/// logged: every other writer fires them, and this logs exactly what the
/// INSERT trigger would (`Schema.createChangeLog`), only for a table that has it.
/// While they are off it runs nothing but a page's record INSERTs, and the
/// record tables have no triggers but the log's: a trigger added to them
/// later must be run here too.
enum ChangeLogBatch {
    /// Whether the INSERT trigger of `entity`'s table is in the file (a
    /// scratch file may have dropped it: `Store.dropChangeLogTriggers`).
    static func logsInserts(of entity: Entity, in db: Database) throws -> Bool {
        try db.triggerExists(ChangeCapture.triggerName(entity.table, "INSERT"), in: "main")
    }

    /// Runs `body` with the connection's triggers off, and on again on every
    /// path before the connection is used for anything else. Switching
    /// expires the connection's prepared statements (SQLite prepares each
    /// again on its next use).
    static func withoutTriggers<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try enableTriggers(false, db)
        defer { try! enableTriggers(true, db) }
        return try body()
    }

    /// Logs the INSERTs of the rows `rowids` of `entity`'s table, in that
    /// order: the columns and seqs the INSERT trigger writes, one seq after
    /// the topic's last for each. The time is the column default's, computed
    /// once for the page by a constant subquery (the default formats it for every row).
    static func logInserts(of entity: Entity, sourceId: String, rowids: [Int64], in db: Database) throws {
        guard !rowids.isEmpty else { return }
        var ids = JSONWriter(capacity: rowids.count * 8)
        ids.beginArray()
        for rowid in rowids { ids.int(rowid) }
        ids.endArray()
        // The topic's last seq read first: a SELECT reading the table it inserts into would be run into a temporary table first.
        let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM ghl_change_log WHERE source_id = ?"),
                                      arguments: [sourceId]) ?? 0
        let statement = try db.cachedStatement(sql: """
            INSERT INTO ghl_change_log (source_id, seq, tbl, op, rec, key, ts)
            SELECT ?1, ?2 + j.key + 1, ?3, 'INSERT', t.id, t.\(entity.idColumn), (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            FROM json_each(?4) j JOIN \(entity.table) t ON t.id = j.value
            ORDER BY j.key
            """)
        try statement.execute(arguments: [sourceId, last, ChangeLogRows.code(of: entity.table), String(decoding: ids.bytes, as: UTF8.self)])
    }

    private static func enableTriggers(_ on: Bool, _ db: Database) throws {
        var enabled: Int32 = -1
        let code = ghl_sqlite_enable_triggers(db.sqliteConnection, on ? 1 : 0, &enabled)
        guard ResultCode(rawValue: code) == .SQLITE_OK, enabled == (on ? 1 : 0) else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not switch the connection's triggers \(on ? "on" : "off")")
        }
    }
}
