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
///
/// A record table's rows are soft-deleted, so an UPDATE is broadcast as what
/// it does to the live set (`deleted_at IS NULL`, what the views show): a row
/// leaving it (GHL deleted it, a filter excludes it) is a DELETE with `old`,
/// a row coming back an INSERT with `new`, a change to a deleted row nothing.
/// An UPDATE that brings no newer GHL version and changes no column but `raw`
/// (the sync storing the API's full copy of what a webhook already applied)
/// is not broadcast either: one change in GHL is one event, however it came.
/// "No newer" allows GHL's times to run up to `clockSkew` ahead of the
/// webhook's event time that stands for them.
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
            var update = (op: "'UPDATE'", old: row("OLD"), new: row("NEW"), when: "")
            if columns.contains("deleted_at") {
                update = liveSetUpdate(columns: columns, old: row("OLD"), new: row("NEW"))
            }
            for (op, old, new, when) in [("INSERT", "NULL", row("NEW"), ""), ("UPDATE", update.old, update.new, update.when),
                                         ("DELETE", row("OLD"), "NULL", "")] {
                let ref = op == "DELETE" ? "OLD" : "NEW"
                let recorded = op == "UPDATE" ? update.op : "'\(op)'"
                try db.execute(sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS capture_\(table)_\(op.lowercased())
                    AFTER \(op) ON main.\(table) \(when) BEGIN
                        INSERT INTO ghl_change_buffer (tbl, op, source_id, old, new)
                        VALUES ('\(table)', \(recorded), \(ref).\(source), \(old), \(new));
                    END
                    """)
            }
        }
    }

    /// GHL's times of a record's changes: a refresh may move them back (a webhook
    /// stored its event's time, GHL's own is a little earlier), or forward by
    /// no more than `clockSkew`.
    private static let changeTimes: Set = ["ghl_updated_at", "last_status_change_at", "last_stage_change_at"]
    /// GHL stamps a record and its webhook from clocks a few milliseconds apart, either way round.
    static let clockSkew = "+5 seconds"

    /// The UPDATE trigger of a soft-deleting record table, as the live set sees it.
    /// Every column but the bookkeeping ones is compared, so a refresh that only
    /// rewrites `raw` (and moves a known `ghl_updated_at` no later than `clockSkew`) stays silent.
    private static func liveSetUpdate(columns: [String], old: String, new: String) -> (op: String, old: String, new: String, when: String) {
        let bookkeeping: Set = ["id", "raw", "updated_at", "synced_at"]
        let notLater = { (column: String) in "NEW.\(column) <= strftime('%Y-%m-%dT%H:%M:%fZ', OLD.\(column), '\(clockSkew)')" }
        let unchanged = columns.filter { !bookkeeping.contains($0) }.map { column in
            // `ghl_updated_at` must be known: without GHL's times no two versions can be told apart.
            column == "ghl_updated_at" ? "coalesce(\(notLater(column)), 0)"
                : changeTimes.contains(column) ? "(OLD.\(column) IS NEW.\(column) OR \(notLater(column)))" : "OLD.\(column) IS NEW.\(column)"
        }
        let leaves = "OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL"
        let returns = "OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL"
        return (op: "CASE WHEN \(leaves) THEN 'DELETE' WHEN \(returns) THEN 'INSERT' ELSE 'UPDATE' END",
                old: "CASE WHEN \(returns) THEN NULL ELSE \(old) END",
                new: "CASE WHEN \(leaves) THEN NULL ELSE \(new) END",
                when: """
                    WHEN (OLD.deleted_at IS NULL OR NEW.deleted_at IS NULL) AND NOT (\(unchanged.joined(separator: " AND ")))
                    """)
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
