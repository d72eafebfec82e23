import GRDB

/// Emulates the seed's `rt_broadcast_ghl_changes()` trigger.
///
/// TEMP triggers on the writer connection copy each row change of the
/// broadcast tables into a TEMP buffer inside the writing transaction, so a
/// rollback discards them with the data. After commit, the observer drains the
/// buffer and hands the events, in commit order, to the handler. TEMP objects
/// live only on this connection: the file itself carries no triggers, and a
/// no-op upsert (whose `DO UPDATE ... WHERE` matches nothing) fires none.
/// The store installs them with its first `onCommit` handler.
final class ChangeCapture: TransactionObserver, @unchecked Sendable {
    /// Tables whose changes are broadcast.
    static let tables: [String] = Entity.allCases.map(\.table) + ["ghl_sync_jobs", "ghl_sources"]

    private let handler: @Sendable ([ChangeEvent]) -> Void
    private var dirty = false

    init(handler: @escaping @Sendable ([ChangeEvent]) -> Void) {
        self.handler = handler
    }

    /// Creates the buffer and the triggers on the writer connection.
    static func install(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS ghl_change_buffer (
                seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op TEXT NOT NULL,
                source_id TEXT NOT NULL, old TEXT, new TEXT,
                ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
            """)
        for table in tables {
            let columns = try db.columns(in: table).map(\.name)
            func row(_ ref: String) -> String {
                // The payload goes to the source's viewers: `id` is the one they may see.
                "json_object(" + columns.map { name in
                    if name == "id", let scoped = AccessScope.scopedId(of: table) { return "'id', \(ref).\(scoped)" }
                    return name == "raw" || name == "stages" || name == "filters"
                        ? "'\(name)', json(\(ref).\(name))" : "'\(name)', \(ref).\(name)"
                }.joined(separator: ", ") + ")"
            }
            let source = table == "ghl_sources" ? "id" : "source_id"
            for (op, old, new) in [("INSERT", "NULL", row("NEW")), ("UPDATE", row("OLD"), row("NEW")), ("DELETE", row("OLD"), "NULL")] {
                let ref = op == "DELETE" ? "OLD" : "NEW"
                try db.execute(sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS capture_\(table)_\(op.lowercased())
                    AFTER \(op) ON main.\(table) BEGIN
                        INSERT INTO ghl_change_buffer (tbl, op, source_id, old, new)
                        VALUES ('\(table)', '\(op)', \(ref).\(source), \(old), \(new));
                    END
                    """)
            }
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.tables.contains(eventKind.tableName)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        dirty = true
        // The triggers record the rows; one notice per transaction is enough.
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        guard dirty else { return }
        dirty = false
        do {
            var events: [ChangeEvent] = []
            // A cursor's rows are read in place (fetchAll would copy each first).
            let rows = try Row.fetchCursor(db, sql: "SELECT tbl, op, source_id, old, new, ts FROM ghl_change_buffer ORDER BY seq")
            while let row = try rows.next() {
                events.append(ChangeEvent(table: row[0], operation: ChangeEvent.Operation(rawValue: row[1]) ?? .update,
                                          sourceId: row[2], old: row[3], new: row[4], timestamp: row[5]))
            }
            try db.execute(sql: "DELETE FROM ghl_change_buffer")
            if !events.isEmpty { handler(events) }
        } catch {
            // The buffer is TEMP and private to this connection: failing to read it means the
            // connection itself is broken, and the next write will report that.
        }
    }

    func databaseDidRollback(_ db: Database) {
        dirty = false
    }
}
