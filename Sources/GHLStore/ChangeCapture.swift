import GRDB

/// Emulates the seed's `rt_broadcast_ghl_changes()` trigger with triggers
/// stored in the file, which append each row change of the broadcast tables to
/// `ghl_change_log` in the writer's transaction (see `Schema.createChangeLog`).
///
/// A record table's rows are soft-deleted, so an UPDATE is logged as what
/// it does to the live set (`deleted_at IS NULL`, what the views show): a row
/// leaving it (GHL deleted it, a filter excludes it) is a DELETE with `old`,
/// a row coming back an INSERT with `new`, a change to a deleted row nothing.
/// An UPDATE that brings no newer GHL version and changes no column but `raw`
/// (the sync storing the API's full copy of what a webhook already applied)
/// is not logged either: one change in GHL is one event, however it came.
/// "No newer" allows GHL's times to run up to `clockSkew` ahead of the
/// webhook's event time that stands for them. A no-op upsert (whose
/// `DO UPDATE ... WHERE` matches nothing) fires no trigger at all.
///
/// As a transaction observer on the writer, it hands the log's new rows to
/// the store's listeners right after each commit of this process; other
/// processes' commits reach them through `Store.pollChanges`.
final class ChangeCapture: TransactionObserver, @unchecked Sendable {
    /// Tables whose changes are logged.
    static let tables: [String] = Entity.allCases.map(\.table) + ["ghl_sync_jobs", "ghl_sources"]

    private let relay: ChangeRelay
    private var dirty = false

    init(relay: ChangeRelay) {
        self.relay = relay
    }

    static let operations = ["INSERT", "UPDATE", "DELETE"]

    static func triggerName(_ table: String, _ operation: String) -> String {
        "ghl_change_log_\(table)_\(operation.lowercased())"
    }

    /// Creates `table`'s three logging triggers; run once, by the migration.
    /// Each bumps the source's counter and logs the row with that seq; the
    /// row's JSON is built once, in the statement that logs it.
    static func createTriggers(on table: String, _ db: Database) throws {
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
                CREATE TRIGGER \(triggerName(table, op))
                AFTER \(op) ON \(table) \(when) BEGIN
                    INSERT INTO ghl_change_topics (source_id, last_seq) VALUES (\(ref).\(source), 1)
                        ON CONFLICT (source_id) DO UPDATE SET last_seq = last_seq + 1;
                    INSERT INTO ghl_change_log (source_id, seq, tbl, op, old, new)
                    VALUES (\(ref).\(source), (SELECT last_seq FROM ghl_change_topics WHERE source_id = \(ref).\(source)),
                            '\(table)', \(recorded), \(old), \(new));
                END
                """)
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

    /// The logged tables rather than the log: their statements are what this
    /// connection runs (the log's rows come from triggers).
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.tables.contains(eventKind.tableName)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        dirty = true
        // The log's rows are read after the commit; one notice per transaction is enough.
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        guard dirty else { return }
        dirty = false
        // A failed read leaves the rows in the log: the next poll or commit delivers them.
        try? relay.drain(db)
    }

    func databaseDidRollback(_ db: Database) {
        dirty = false
    }
}
