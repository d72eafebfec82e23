import GRDB

/// Emulates the seed's `rt_broadcast_ghl_changes()` trigger: the triggers
/// stored in the file (see `Schema.createChangeLog`) log each row change of
/// the broadcast tables to `ghl_change_log` in the writer's transaction.
///
/// As a transaction observer on the writer, it calls `wake` after each commit
/// of this process that changed them, for a reader to hand the log's new rows
/// to the store's listeners; other processes' commits reach them through
/// `Store.pollChanges`.
final class ChangeCapture: TransactionObserver, @unchecked Sendable {
    /// Tables whose changes are logged.
    static let tables: [String] = Entity.allCases.map(\.table) + ["ghl_sync_jobs", "ghl_sources"]
    static let operations = ["INSERT", "UPDATE", "DELETE"]

    static func triggerName(_ table: String, _ operation: String) -> String {
        "ghl_change_log_\(table)_\(operation.lowercased())"
    }

    private let wake: @Sendable () -> Void
    private var dirty = false

    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
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
        wake()
    }

    func databaseDidRollback(_ db: Database) {
        dirty = false
    }
}
