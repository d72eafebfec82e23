import Foundation
import GRDB

/// A read-only connection of its own for the realtime bus's history reads
/// (`Store.loggedChanges`), which are synchronous and run on cooperative and
/// event-loop threads.
///
/// On the pool's readers they deadlocked `serve`: fifty clients resuming
/// after a restart blocked every such thread waiting for a reader, while the
/// readers were held by async reads whose blocks waited for one of those
/// threads to run on. This connection is taken by no one else, and a read on
/// it runs on its caller's thread, so a history read waits only for another
/// history read, which is running. Opened on the first read.
final class HistoryReader: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var queue: DatabaseQueue?

    init(path: String) {
        self.path = path
    }

    func read<T>(_ value: (Database) throws -> T) throws -> T {
        try lock.withLock {
            if queue == nil {
                var config = Configuration()
                config.readonly = true
                config.label = "ghlsync.history"
                queue = try DatabaseQueue(path: path, configuration: config)
            }
            return try queue!.read(value)
        }
    }
}
