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
    let pool: DatabasePool
    private let changes: ChangeRelay

    /// Opens (creating if needed) and migrates the file at `path`. A write
    /// waits its turn up to `lockPatience` seconds while other processes write.
    public init(path: String, lockPatience: TimeInterval = WriteTurn.patience) throws {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .callback(WriteTurn.wait(patience: lockPatience))
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly {
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
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error)")
        }
        try Schema.migrator.migrate(pool)
        changes = ChangeRelay()
        try pool.writeWithoutTransaction { db in
            try db.inTransaction {
                try ReportingViews.install(db)
                return .commit
            }
            Checkpointer.install(path: path, on: db)
        }
    }

    /// Opens an existing file, failing clearly instead of creating an empty one.
    public static func openExisting(path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(path) }
        return try Store(path: path)
    }

    /// Calls `handler` after every commit that changed rows of the broadcast
    /// tables, with that commit's events in order, on the writer's queue.
    /// It must return quickly: the writer waits for it.
    ///
    /// Change capture starts with the first handler, between two
    /// transactions, so every handler sees whole commits. A store nobody
    /// listens to (a CLI sync) builds no events: for a bulk write they would
    /// cost about as much as the rows themselves.
    public func onCommit(_ handler: @escaping @Sendable ([ChangeEvent]) -> Void) throws {
        try pool.writeWithoutTransaction { [changes] db in
            if !changes.hasHandlers {
                try ChangeCapture.install(db)
                db.add(transactionObserver: ChangeCapture { changes.emit($0) }, extent: .databaseLifetime)
            }
            changes.add(handler)
        }
    }

    /// The migrations applied to this file, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { try Schema.migrator.appliedMigrations($0) }
    }
}

/// Fans committed changes out to the handlers registered with `Store.onCommit`.
private final class ChangeRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [@Sendable ([ChangeEvent]) -> Void] = []

    var hasHandlers: Bool { lock.withLock { !handlers.isEmpty } }

    func add(_ handler: @escaping @Sendable ([ChangeEvent]) -> Void) {
        lock.withLock { handlers.append(handler) }
    }

    func emit(_ events: [ChangeEvent]) {
        for handler in lock.withLock({ handlers }) { handler(events) }
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
