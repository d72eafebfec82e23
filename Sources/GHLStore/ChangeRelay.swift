import Foundation
import GRDB

/// Hands the change log's rows to the handlers registered with
/// `Store.onCommit`, in log order and each once, whichever connection reads
/// them: the writer after its commit or a reader polling for other processes.
final class ChangeRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [@Sendable ([ChangeEvent]) -> Void] = []
    /// The last log row handed out.
    private var lastID: Int64 = 0

    var hasHandlers: Bool { lock.withLock { !handlers.isEmpty } }

    func start(after id: Int64) {
        lock.withLock { lastID = id }
    }

    func add(_ handler: @escaping @Sendable ([ChangeEvent]) -> Void) {
        lock.withLock { handlers.append(handler) }
    }

    /// Reads the rows after the last one handed out and hands them out, a
    /// bounded batch at a time. Holding the lock keeps two drains (the
    /// writer's and a poll) from interleaving or repeating rows.
    func drain(_ db: Database) throws {
        try lock.withLock {
            while true {
                var events: [ChangeEvent] = []
                // A cursor's rows are read in place (fetchAll would copy each first).
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT id, tbl, op, source_id, old, new, ts, seq FROM ghl_change_log WHERE id > ? ORDER BY id LIMIT 4096
                    """, arguments: [lastID])
                while let row = try rows.next() {
                    lastID = row[0]
                    events.append(ChangeEvent(row: row))
                }
                if events.isEmpty { return }
                for handler in handlers { handler(events) }
            }
        }
    }
}

extension ChangeEvent {
    /// A row of `ghl_change_log` selected as `id, tbl, op, source_id, old, new, ts, seq`.
    init(row: Row) {
        self.init(table: row[1], operation: Operation(rawValue: row[2]) ?? .update, sourceId: row[3],
                  old: row[4], new: row[5], timestamp: row[6], seq: row[7])
    }
}
