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
/// the writer only notes that the WAL has grown past `threshold`, and a
/// passive checkpoint runs on a connection of its own in the background while
/// the writer goes on committing. The first commit after a complete checkpoint starts the WAL
/// over from its beginning, so the WAL stays about `threshold` long, and
/// grows only while the writer outpaces the copying.
///
/// A passive checkpoint copies only what every reader has moved past, and the
/// WAL starts over only when a checkpoint was complete and no reader still
/// reads it. With several processes on one file some reader always does, and
/// the WAL grew without end (3.8 GB beside a 1 GB file, ten syncs at once).
/// Past `truncateThreshold` the checkpoint therefore takes the write
/// lock and waits (up to `truncateWait`) for those readers, then truncates
/// the WAL to nothing: it stays under about that size plus what is written
/// while it waits. That wait can fail (five syncs on a loaded machine took
/// the WAL to 74 MiB), so past `hardLimit` the writer itself truncates
/// before it goes on, waiting its turn as for any write: no process commits
/// into a WAL that long, which bounds it at `hardLimit` plus one transaction
/// per process. `walSizeLimit` (the writer's `journal_size_limit`) shrinks
/// the file whenever the WAL starts over of its own accord. The limits are
/// bytes, so they hold whatever the file's page size (`Store.pageSize`).
///
/// The writer connection keeps the checkpointer alive (as an observer of no
/// table), so the hook's context lives exactly as long as the hook.
final class Checkpointer: TransactionObserver, Sendable {
    /// WAL bytes that start a checkpoint: SQLite's own default of 1,000 pages of 4 KiB.
    static let thresholdBytes = 4_000 * 1024
    /// WAL bytes (16 MiB) past which the checkpoint truncates the WAL, waiting for readers.
    static let truncateThresholdBytes = 4 * thresholdBytes
    /// WAL bytes (32 MiB) past which the writer truncates the WAL itself before going on.
    static let hardLimitBytes = 2 * truncateThresholdBytes
    /// Seconds a truncating checkpoint waits for the write lock (its turn among
    /// the writers, `WriteTurn`) and for readers.
    static let truncateWait: Double = 5
    /// The writer's `journal_size_limit` in bytes: twice the passive threshold.
    static let walSizeLimit = 2 * thresholdBytes

    private let path: String
    /// The thresholds above in WAL frames (pages) of this file, whatever its page size.
    let threshold: Int32
    let truncateThreshold: Int32
    let hardLimit: Int32
    private let running = Atomic<Bool>(false)

    init(path: String, pageSize: Int) {
        self.path = path
        threshold = Int32(Self.thresholdBytes / pageSize)
        truncateThreshold = Int32(Self.truncateThresholdBytes / pageSize)
        hardLimit = Int32(Self.hardLimitBytes / pageSize)
    }

    /// Replaces SQLite's automatic checkpoint on the writer connection.
    static func install(path: String, on db: Database) throws {
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        let checkpointer = Checkpointer(path: path, pageSize: pageSize)
        db.add(transactionObserver: checkpointer, extent: .databaseLifetime)
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, _, pages in
            let checkpointer = Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue()
            if pages >= checkpointer.hardLimit {
                Checkpointer.truncateBeforeGoingOn(connection)
                return SQLITE_OK
            }
            checkpointer.walGrew(to: pages)
            return SQLITE_OK
        }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    /// Truncates the WAL on the writer's connection, whose busy handler
    /// (`WriteTurn`) waits for the write lock and the readers. Another process's
    /// checkpoint holding the checkpoint lock makes SQLite give up at once, not
    /// wait, so this tries again at the same pace until the WAL is truncated
    /// or `WriteTurn.patience` has passed.
    private static func truncateBeforeGoingOn(_ connection: OpaquePointer?) {
        var tries = 0
        while sqlite3_wal_checkpoint_v2(connection, "main", SQLITE_CHECKPOINT_TRUNCATE, nil, nil) == SQLITE_BUSY,
              WriteTurn.retry(after: tries, patience: WriteTurn.patience) {
            tries += 1
        }
    }

    private func walGrew(to pages: Int32) {
        guard pages >= threshold, !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let truncate = pages >= truncateThreshold
        DispatchQueue.global(qos: .utility).async { [self] in
            checkpoint(truncate: truncate)
            running.store(false, ordering: .releasing)
        }
    }

    /// A passive checkpoint copies what no reader still needs and never waits
    /// for a lock; a truncating one waits up to `truncateWait` seconds, then does
    /// what a passive one would. Failures are left to the next one (or to
    /// SQLite's checkpoint when the last connection closes): the WAL stays valid.
    private func checkpoint(truncate: Bool) {
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        // No SQLITE_OPEN_CREATE: a file removed meanwhile is not made again.
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else { return }
        // A fresh connection learns that the file is in WAL mode from its first read.
        guard sqlite3_exec(connection, "PRAGMA schema_version", nil, nil, nil) == SQLITE_OK else { return }
        if truncate {
            sqlite3_busy_handler(connection, { _, tries in WriteTurn.retry(after: Int(tries), patience: Checkpointer.truncateWait) ? 1 : 0 }, nil)
        }
        sqlite3_wal_checkpoint_v2(connection, "main", truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
