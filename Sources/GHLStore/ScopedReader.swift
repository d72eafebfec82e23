import Foundation
import GRDB
import Synchronization

/// The access layer: every user-facing read of the file goes through here.
///
/// A read names the `AccessScope` it runs under and sees only that scope's
/// rows, whatever its SQL says (see `ScopedConnection`). Connections are built
/// per scope, kept for reuse (a few per scope, for the most recently used
/// scopes), and lent to one query at a time. A scope is just a set of ids, so
/// changed grants need no invalidation: the next request computes its new
/// scope, which maps to other connections, and stale ones age out.
///
/// The sync engine and the CLI's own commands are the service role and read
/// through `Store.pool` directly.
public final class ScopedReader: Sendable {
    public let path: String
    /// How long one statement may run before it is interrupted with `StoreError.timeLimitExceeded`.
    public let timeLimit: Duration
    private let idle: Mutex<IdleConnections>

    /// - Parameters:
    ///   - maxScopes: how many scopes keep idle connections.
    ///   - connectionsPerScope: how many idle connections each keeps.
    public init(store: Store, timeLimit: Duration = .seconds(30), maxScopes: Int = 64, connectionsPerScope: Int = 4) {
        path = store.path
        self.timeLimit = timeLimit
        idle = Mutex(IdleConnections(maxScopes: max(1, maxScopes), perScope: max(1, connectionsPerScope)))
    }

    /// Runs one read-only statement under `scope`, passing the column names
    /// and then each row to the callbacks, on the calling thread.
    /// `arguments` bind the statement's `?` parameters in order.
    public func query(_ sql: String, arguments: [DatabaseValue] = [], scope: AccessScope,
                      columns: ([String]) throws -> Void, row: ([StoreValue]) throws -> Void) throws {
        try withConnection(scope) {
            try $0.run(sql, arguments: arguments, timeLimit: timeLimit, columns: columns) { try row($0.map(StoreValue.init)) }
        }
    }

    /// The whole result of a statement under `scope`, computed off the caller's thread.
    public func fetch(_ sql: String, arguments: [DatabaseValue] = [], scope: AccessScope) async throws -> ScopedRows {
        try await offThread { try self.fetchNow(sql, arguments: arguments, scope: scope) }
    }

    /// One page of a reporting view (`/rest/v1/{view}`), computed off the caller's thread.
    ///
    /// It runs under `scope` narrowed to the sources the query names: a view's
    /// rows of one source come only from that source's rows (see
    /// `ReportingViews`), so the narrower scope gives the same answer, and its
    /// connection's filters keep SQLite from aggregating the other sources
    /// where it cannot push `source_id = ?` into a view's subqueries. A source
    /// outside the scope reads nothing, as under row-level security.
    public func read(_ query: ViewQuery, scope: AccessScope, countTotal: Bool) async throws -> ViewPage {
        let sourceIds = query.sourceIds(within: scope.sourceIds.sorted())
        guard !sourceIds.isEmpty else {
            return ViewPage(rows: ScopedRows(columns: query.resultColumns, rows: []), total: countTotal ? 0 : nil)
        }
        let narrowed = AccessScope(userId: scope.userId, sourceIds: Set(sourceIds))
        return try await offThread {
            let (sql, arguments) = query.selectSQL(sourceIds: sourceIds)
            let rows = try self.fetchNow(sql, arguments: arguments, scope: narrowed)
            guard countTotal else { return ViewPage(rows: rows, total: nil) }
            let (countSQL, countArguments) = query.countSQL(sourceIds: sourceIds)
            let total = try self.fetchNow(countSQL, arguments: countArguments, scope: narrowed).rows.first?.first
                .flatMap { Int.fromDatabaseValue($0) }
            return ViewPage(rows: rows, total: total ?? 0)
        }
    }

    /// The whole result of a statement, on the calling thread.
    public func fetchNow(_ sql: String, arguments: [DatabaseValue] = [], scope: AccessScope) throws -> ScopedRows {
        var result = ScopedRows(columns: [], rows: [])
        try withConnection(scope) {
            try $0.run(sql, arguments: arguments, timeLimit: timeLimit, columns: { result.columns = $0 }, row: { result.rows.append($0) })
        }
        return result
    }

    /// Borrows an idle connection of `scope` (or builds one) for the duration of `body`.
    private func withConnection<T>(_ scope: AccessScope, _ body: (ScopedConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.take(scope) } ?? ScopedConnection(path: path, scope: scope)
        defer { idle.withLock { $0.giveBack(connection) } }
        return try body(connection)
    }

    private func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result(catching: work)) }
        }
    }
}

/// Idle scoped connections, by scope, least recently used scope first.
private struct IdleConnections: ~Copyable {
    let maxScopes: Int
    let perScope: Int
    private var byScope: [AccessScope: [ScopedConnection]] = [:]
    private var recency: [AccessScope] = []

    init(maxScopes: Int, perScope: Int) {
        self.maxScopes = maxScopes
        self.perScope = perScope
    }

    mutating func take(_ scope: AccessScope) -> ScopedConnection? {
        byScope[scope]?.popLast()
    }

    mutating func giveBack(_ connection: ScopedConnection) {
        let scope = connection.scope
        recency.removeAll { $0 == scope }
        recency.append(scope)
        if byScope[scope, default: []].count < perScope { byScope[scope, default: []].append(connection) }
        while recency.count > maxScopes {
            byScope[recency.removeFirst()] = nil
        }
    }
}
