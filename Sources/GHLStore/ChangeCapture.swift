import GRDB

/// Emulates the seed's `rt_broadcast_ghl_changes()` trigger: the triggers
/// stored in the file (see `Schema.createChangeLog`) log each row change of
/// the broadcast tables to `ghl_change_log` in the writer's transaction.
///
/// As a transaction observer on the writer, it calls `wake` after each commit
/// of this process, for a reader to hand the log's new rows (if any: one index
/// probe when there are none) to the store's listeners; other processes'
/// commits reach them through `Store.pollChanges`. It observes no row change:
/// an observer of a table's rows has GRDB install SQLite's update hook for
/// every statement that writes it and call it for each row the statement and
/// its triggers write, which a sync's writer paid for each record.
final class ChangeCapture: TransactionObserver, @unchecked Sendable {
    /// Tables whose changes are logged.
    static let tables: [String] = Entity.allCases.map(\.table) + ["ghl_sync_jobs", "ghl_sources"]
    static let operations = ["INSERT", "UPDATE", "DELETE"]

    static func triggerName(_ table: String, _ operation: String) -> String {
        "ghl_change_log_\(table)_\(operation.lowercased())"
    }

    private let wake: @Sendable () -> Void

    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }

    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseDidCommit(_ db: Database) {
        wake()
    }

    func databaseDidRollback(_ db: Database) {}
}
