import Foundation
import GRDB

/// One ghlsync SQLite file.
///
/// A `DatabasePool` in WAL mode with foreign keys on: one writer (the sync
/// engine and webhook intake, acting as the service role) and concurrent
/// readers. Opening a file migrates it to the current schema in place.
public final class Store: Sendable {
    public let path: String
    /// The pool, for the store's own APIs: other modules read and write through them; user-facing reads go through `ScopedReader`.
    let pool: StorePool
    private let changes: ChangeRelay
    /// The connection the realtime bus's synchronous history reads use (`loggedChanges`).
    let history: HistoryReader

    /// The page size of a new file, in bytes: twice SQLite's default. A sync
    /// writes every b-tree page it touches to the WAL, then copies it into the
    /// file; with bigger pages a bulk sync writes fewer of them, in fewer calls.
    static let pageSize = 8192

    /// Opens (creating if needed) and migrates the file at `path`. A write
    /// waits its turn up to `lockPatience` seconds while other processes write.
    ///
    /// Synchronous even inside a task: until it returns no one else holds one
    /// of this pool's connections, so it cannot wait for a task's connection.
    public init(path: String, lockPatience: TimeInterval = WriteTurn.patience) throws {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .callback(WriteTurn.wait(patience: lockPatience))
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly {
                // Before the pool turns WAL on: a new file's pages take this size, an existing file keeps its own.
                try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // The writer's cache holds the index pages a sync touches all
                // over (GHL ids are random) and a transaction of several pages
                // of records without spilling it to the WAL before the commit.
                try db.execute(sql: "PRAGMA cache_size = -32768")
                // When the WAL starts over, the file shrinks back to this size
                // instead of staying as long as its longest stretch.
                try db.execute(sql: "PRAGMA journal_size_limit = \(Checkpointer.walSizeLimit)")
            }
        }
        let base: DatabasePool
        do {
            base = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error)")
        }
        try Schema.migrator.migrate(base)
        pool = StorePool(base: base)
        changes = ChangeRelay()
        history = HistoryReader(path: path)
        try base.writeWithoutTransaction { db in
            try db.inTransaction {
                try ReportingViews.install(db)
                return .commit
            }
            try Checkpointer.install(path: path, on: db)
        }
    }

    /// Opens an existing file, failing clearly instead of creating an empty one.
    public static func openExisting(path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(path) }
        return try Store(path: path)
    }

    /// Calls `handler` with the change log's rows logged after row `after`
    /// (see `changeLogSnapshot`; by default, after what the file holds now), in
    /// commit order, each once: this process's commits right after they
    /// commit, read on a background thread (the writer waits for none of it);
    /// other processes' when `pollChanges` finds them. One batch at a time:
    /// it must return quickly, the next batch waits for it.
    ///
    /// The first handler sets the starting row; later ones join it.
    public func onCommit(after: Int64? = nil, _ handler: @escaping @Sendable ([ChangeEvent]) -> Void) async throws {
        try await pool.writeWithoutTransaction { [changes, pool] db in
            if !changes.hasHandlers {
                let start = try after ?? Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ghl_change_log") ?? 0
                changes.start(after: start)
                db.add(transactionObserver: ChangeCapture { [pool] in
                    // A failed read leaves the rows in the log: the next poll or commit delivers them.
                    changes.wake { try? changes.drain { after in try pool.read { try ChangeRelay.batch($0, after: after) } } }
                }, extent: .databaseLifetime)
            }
            changes.add(handler)
        }
    }

    /// Hands the rows logged since the last delivery (other processes', or
    /// this one's not yet read) to the `onCommit` handlers before it returns.
    /// Cheap when there are none: one index probe.
    public func pollChanges() async throws {
        guard changes.hasHandlers else { return }
        // The relay reads under its lock, one batch after another: on a thread of its own, not a cooperative one.
        try await withCheckedThrowingContinuation { [changes, pool] (continuation: CheckedContinuation<Void, Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try changes.drain { after in try pool.read { try ChangeRelay.batch($0, after: after) } } })
            }
        }
    }

    /// The migrations applied to this file, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { try Schema.migrator.appliedMigrations($0) }
    }
}

/// Errors a user can act on, with messages that say what is wrong in the
/// store's terms (no front end's flags or commands: the CLI and the HTTP front
/// word them for their users).
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case cannotOpen(path: String, reason: String)
    case unknownSource(String)
    case unknownView(String)
    case invalidInput(String)
    case invalidSource(SourceProblem)
    case invalidFilter(FilterProblem)
    /// A scoped read tried to reach what its scope does not allow, or to write.
    case accessDenied(String)
    /// A scoped read ran longer than its reader allows and was interrupted.
    case timeLimitExceeded(seconds: Double)

    public var description: String {
        switch self {
        case .missingFile(let path): "no ghlsync database at \(path)"
        case .cannotOpen(let path, let reason): "cannot open \(path): \(reason)"
        case .unknownSource(let id): "unknown source \(id)"
        case .unknownView(let name): "unknown view \(name); views are: \(ReportingViews.names.joined(separator: ", "))"
        case .invalidInput(let message): message
        case .invalidSource(let problem): problem.description
        case .invalidFilter(let problem): problem.description
        case .accessDenied(let reason): "not allowed: \(reason)"
        case .timeLimitExceeded(let seconds): "the query ran longer than its time limit of \(seconds.formatted()) s and was stopped"
        }
    }
}
