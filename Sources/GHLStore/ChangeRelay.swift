import Foundation
import GRDB

/// Hands the change log's rows to the handlers registered with
/// `Store.onCommit`, in log order and each once, whichever reader reads
/// them: one woken by this process's commit, or a poll for other processes'.
///
/// A commit only wakes a reader: the payloads are built off the writer's
/// queue, so a writer with listeners pays for the log's lean rows alone.
final class ChangeRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [@Sendable ([ChangeEvent]) -> Void] = []
    /// The last log row handed out.
    private var lastID: Int64 = 0
    /// Wake-ups of the reader: whether one runs, and whether a commit came since it began.
    private let wakeLock = NSLock()
    private var reading = false
    private var wokenAgain = false

    var hasHandlers: Bool { lock.withLock { !handlers.isEmpty } }

    func start(after id: Int64) {
        lock.withLock { lastID = id }
    }

    func add(_ handler: @escaping @Sendable ([ChangeEvent]) -> Void) {
        lock.withLock { handlers.append(handler) }
    }

    /// After a commit: drains on a background thread, through `read`, until
    /// no commit came during the last drain. Commits while it reads coalesce.
    func wake(_ read: @escaping @Sendable () -> Void) {
        let start = wakeLock.withLock {
            if reading { wokenAgain = true; return false }
            reading = true
            return true
        }
        guard start else { return }
        DispatchQueue.global().async { [self] in
            repeat { read() } while wakeLock.withLock {
                reading = wokenAgain
                wokenAgain = false
                return reading
            }
        }
    }

    /// Reads the rows after the last one handed out and hands them out, a
    /// bounded batch at a time. Holding the lock keeps two drains (a wake-up's
    /// and a poll) from interleaving or repeating rows; `read` borrows a pooled
    /// reader for one batch only, so no reader is held while the handlers run
    /// or while a drain waits for the lock.
    func drain(_ read: (_ after: Int64) throws -> [(id: Int64, event: ChangeEvent)]) throws {
        try lock.withLock {
            while true {
                let batch = try read(lastID)
                guard let last = batch.last else { return }
                lastID = last.id
                let events = batch.map(\.event)
                for handler in handlers { handler(events) }
            }
        }
    }

    /// One batch of log rows after row `after`, in log order.
    static func batch(_ db: Database, after: Int64) throws -> [(id: Int64, event: ChangeEvent)] {
        let sql = try ChangeLogRows.select(db, where: "l.id > ?", orderBy: "id", limit: 4096)
        var batch: [(id: Int64, event: ChangeEvent)] = []
        // A cursor's rows are read in place (fetchAll would copy each first).
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: [after])
        while let row = try rows.next() { batch.append((row[0], ChangeEvent(logRow: row))) }
        return batch
    }
}
