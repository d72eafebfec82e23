import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the WAL into the database file off the writer's path.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL
/// past 1,000 pages: that commit copies the WAL into the file and waits for
/// two fsyncs. In a bulk sync, whose pace the single writer sets, that was a
/// fifth of the writer's time (perf, 100k contacts). Instead, a WAL hook on
/// the writer only notes that the WAL has grown past `threshold` pages, and a
/// passive checkpoint runs on a connection of its own in the background while
/// the writer goes on committing. The first commit after a complete checkpoint starts the WAL
/// over from its beginning, so the WAL stays about `threshold` pages long, and
/// grows only while the writer outpaces the copying.
///
/// The writer connection keeps the checkpointer alive (as an observer of no
/// table), so the hook's context lives exactly as long as the hook.
final class Checkpointer: TransactionObserver, Sendable {
    /// WAL pages (4 KiB) that start a checkpoint: SQLite's own default.
    static let threshold: Int32 = 1000

    private let path: String
    private let running = Atomic<Bool>(false)

    private init(path: String) {
        self.path = path
    }

    /// Replaces SQLite's automatic checkpoint on the writer connection.
    static func install(path: String, on db: Database) {
        let checkpointer = Checkpointer(path: path)
        db.add(transactionObserver: checkpointer, extent: .databaseLifetime)
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, pages in
            Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().walGrew(to: pages)
            return SQLITE_OK
        }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    private func walGrew(to pages: Int32) {
        guard pages >= Self.threshold, !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
        DispatchQueue.global(qos: .utility).async { [self] in
            checkpoint()
            running.store(false, ordering: .releasing)
        }
    }

    /// A passive checkpoint: it copies what no reader still needs and never
    /// waits for a lock. Failures are left to the next one (or to SQLite's
    /// checkpoint when the last connection closes): the WAL stays valid.
    private func checkpoint() {
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        // No SQLITE_OPEN_CREATE: a file removed meanwhile is not made again.
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else { return }
        // A fresh connection learns that the file is in WAL mode from its first read.
        guard sqlite3_exec(connection, "PRAGMA schema_version", nil, nil, nil) == SQLITE_OK else { return }
        sqlite3_wal_checkpoint_v2(connection, "main", SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
