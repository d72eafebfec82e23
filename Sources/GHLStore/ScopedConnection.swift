import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// A private, read-only SQLite connection through which one `AccessScope` reads.
///
/// On this connection, TEMP views named exactly like the scoped tables
/// (`ghl_contacts`, ...) shadow the real ones, and TEMP copies of the seven
/// reporting views read through them. An authorizer then refuses, at compile
/// time, every statement that would read a table of the file other than
/// through the scope's own filtering views, and everything that is not a read.
///
/// Each table is wrapped twice: `temp.ghl_contacts` selects from an inner view
/// `ghlsync_scope_<random>_ghl_contacts`, which alone reads `main.ghl_contacts`
/// with the scope's filter. SQLite tells the authorizer the name of the
/// innermost view (or CTE) a read comes from; a user could name a CTE
/// `ghl_contacts` to pose as the wrapper, but not the inner view, whose name is
/// random per connection and which user SQL may not mention at all.
///
/// The authorizer alone is not enough: for a table a statement names but
/// reads no column of (`SELECT count(*) FROM users`), SQLite reports a read
/// with an empty column and without the database, which it may have resolved
/// to the file's table or to a CTE. So every compiled statement is also
/// checked by what it does: `OpenedTables` lists the b-trees its program
/// opens, and any outside the scoped tables refuses it.
///
/// It is a raw `sqlite3` connection, not a GRDB one: GRDB installs its own
/// authorizer on its connections and must keep it.
final class ScopedConnection: @unchecked Sendable {
    // @unchecked: the handle is used by one thread at a time, which
    // `ScopedReader` guarantees by lending each connection to one caller.
    let scope: AccessScope
    private let handle: OpaquePointer
    private let policy: ScopePolicy
    /// The indexes of the scoped tables led by the scope's own column, as
    /// `name␟sql`. Any other index (on `updated_at`, on GHL's id alone) spans
    /// every source, and SQLite tests the terms an index covers before the
    /// scope's filter: a failing expression on such an index would show another
    /// source's values in its error. A plan reading one is refused.
    private let scopedIndexes: Set<String>

    /// User SQL mentioning this is refused: it is how inner views are named.
    static let internalPrefix = "ghlsync_scope_"

    init(path: String, scope: AccessScope) throws {
        guard !([scope.userId] + scope.sourceIds).contains(where: { $0.contains("\0") }) else {
            throw StoreError.invalidInput("a scope id contains a NUL character")
        }
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StoreError.cannotOpen(path: path, reason: message)
        }
        handle = db
        self.scope = scope
        sqlite3_busy_timeout(db, 10_000)
        let marker = Self.internalPrefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + "_"
        var inner: [String: String] = [:]
        let outside: [String]
        let indexes: [String]
        do {
            // Connecting json_each/json_tree declares a table, which the authorizer
            // (rightly) refuses; connect them once now, before it is installed.
            var setup = ["PRAGMA temp_store = MEMORY;", "SELECT * FROM json_each('[]'), json_tree('[]');"]
            for table in AccessScope.tables {
                let innerName = marker + table
                inner[table] = innerName
                var columns = "*"
                if let scopedId = AccessScope.scopedId(of: table) {
                    let names = try Self.strings("SELECT name FROM pragma_table_info(\(sqlLiteral(table)))", on: db)
                    columns = names.map { $0 == "id" ? "\(scopedId) AS id" : sqlIdentifier($0) }.joined(separator: ", ")
                }
                setup.append("CREATE TEMP VIEW \(innerName) AS SELECT \(columns) FROM main.\(table) WHERE \(scope.filter(table));")
                setup.append("CREATE TEMP VIEW \(table) AS SELECT * FROM \(innerName);")
            }
            for view in ReportingViews.definitions {
                setup.append("CREATE TEMP VIEW \(view.name) AS \(view.sql);")
            }
            try Self.execute(setup.joined(separator: "\n"), on: db)
            outside = try Self.strings(ScopePolicy.outsideNamesSQL, on: db)
            indexes = try Self.strings(AccessScope.scopedIndexesSQL, on: db)
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
        scopedIndexes = Set(indexes)
        policy = ScopePolicy(innerViews: inner,
                             tempViews: Set(inner.keys).union(inner.values).union(ReportingViews.names),
                             outsideNames: Set(outside.map { $0.lowercased() }))
        sqlite3_set_authorizer(db, scopeAuthorizer, Unmanaged.passUnretained(policy).toOpaque())
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Compiles `sql` under the scope's authorizer and streams its result,
    /// interrupting it once it has run for `timeLimit`.
    func run(_ sql: String, arguments: [DatabaseValue], timeLimit: Duration, columns: ([String]) throws -> Void,
             row: ([DatabaseValue]) throws -> Void) throws {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        try checkOpenedTables(statement)
        let deadline = QueryDeadline(ContinuousClock.now + timeLimit)
        sqlite3_progress_handler(handle, QueryDeadline.opcodesPerCheck, { context in
            Unmanaged<QueryDeadline>.fromOpaque(context!).takeUnretainedValue().hasPassed ? 1 : 0
        }, Unmanaged.passUnretained(deadline).toOpaque())
        defer { sqlite3_progress_handler(handle, 0, nil, nil) }
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == arguments.count else {
            throw StoreError.invalidInput("the query has \(expected) parameter(s) but \(arguments.count) value(s) were given")
        }
        for (index, value) in arguments.enumerated() {
            try bind(value, at: Int32(index + 1), in: statement)
        }
        let count = sqlite3_column_count(statement)
        try columns((0..<count).map { String(cString: sqlite3_column_name(statement, $0)) })
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                try row((0..<count).map { DatabaseValue(sqliteStatement: statement, index: $0) })
            case SQLITE_DONE:
                return
            case SQLITE_INTERRUPT where deadline.hasPassed:
                let parts = timeLimit.components
                throw StoreError.timeLimitExceeded(seconds: Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
            default:
                throw StoreError.invalidInput("query failed: \(lastError)")
            }
        }
    }

    /// One read-only statement, or an error saying why not. Only the
    /// connection's own check of a statement's program may be an EXPLAIN.
    private func prepare(_ sql: String, allowExplain: Bool = false) throws -> OpaquePointer {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw StoreError.invalidInput("empty query") }
        guard !trimmed.lowercased().contains(Self.internalPrefix) else {
            throw StoreError.accessDenied("the query names an internal object")
        }
        return try trimmed.withCString { text -> OpaquePointer in
            var statement: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(handle, text, -1, 0, &statement, &tail)
            guard code == SQLITE_OK, let statement else {
                sqlite3_finalize(statement)
                if code == SQLITE_AUTH { throw StoreError.accessDenied(lastError) }
                throw StoreError.invalidInput("invalid SQL: \(lastError)")
            }
            if let tail, tail.pointee != 0 {
                var next: OpaquePointer?
                let nextCode = sqlite3_prepare_v3(handle, tail, -1, 0, &next, nil)
                sqlite3_finalize(next)
                guard nextCode == SQLITE_OK, next == nil else {
                    sqlite3_finalize(statement)
                    throw StoreError.invalidInput("run one statement at a time")
                }
            }
            guard sqlite3_stmt_readonly(statement) != 0, allowExplain || sqlite3_stmt_isexplain(statement) == 0 else {
                sqlite3_finalize(statement)
                throw StoreError.accessDenied("only SELECT statements are allowed")
            }
            return statement
        }
    }

    private func bind(_ value: DatabaseValue, at index: Int32, in statement: OpaquePointer) throws {
        guard StatementBinding.bind(value, at: index, in: statement) == SQLITE_OK else {
            throw StoreError.invalidInput("cannot bind parameter \(index): \(lastError)")
        }
    }

    /// Refuses `statement` if its program opens a b-tree of any table but the
    /// scoped ones (or of one of their indexes), however it got there.
    private func checkOpenedTables(_ statement: OpaquePointer) throws {
        guard let sql = sqlite3_sql(statement) else { throw StoreError.accessDenied("the query cannot be checked") }
        let explain = try prepare("EXPLAIN " + String(cString: sql), allowExplain: true)
        defer { sqlite3_finalize(explain) }
        let opened = try OpenedTables(explaining: explain)
        guard !opened.rootPages.isEmpty || opened.unknown else { return }
        // The authorizer refuses sqlite_schema to user SQL; this one read is the connection's own.
        // (Removing the authorizer instead would expire `statement` and compile it again.)
        policy.readingSchema.store(true, ordering: .sequentiallyConsistent)
        defer { policy.readingSchema.store(false, ordering: .sequentiallyConsistent) }
        let pages = opened.rootPages.map(String.init).joined(separator: ", ")
        // One row per b-tree found; page 1 (the schema itself) has none.
        let owners = try Self.strings("SELECT type, tbl_name, name || char(31) || ifnull(sql, '') FROM main.sqlite_schema WHERE rootpage IN (\(pages))",
                                      on: handle, columns: 3)
        let outside = Set(owners.map { $0[1] }).subtracting(AccessScope.tables).sorted()
        guard outside.isEmpty else {
            throw StoreError.accessDenied("the query reads \(outside.joined(separator: ", ")), outside your scope")
        }
        guard !opened.unknown, owners.count == opened.rootPages.count else {
            throw StoreError.accessDenied("the query reads SQLite's own tables, outside your scope")
        }
        if let index = owners.first(where: { $0[0] == "index" && !scopedIndexes.contains($0[2]) }) {
            let name = index[2].prefix { $0 != "\u{1F}" }
            throw StoreError.accessDenied("the query's plan reads index \(name), which spans every source; "
                                          + "write +column for the column it filters or sorts on, so SQLite leaves that index alone")
        }
    }

    private static func execute(_ sql: String, on db: OpaquePointer) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw StoreError.cannotOpen(path: String(cString: sqlite3_db_filename(db, "main")), reason: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// The first column of every row of `sql`, as text.
    private static func strings(_ sql: String, on db: OpaquePointer) throws -> [String] {
        try strings(sql, on: db, columns: 1).map { $0[0] }
    }

    /// The first `columns` columns of every row of `sql`, as text.
    private static func strings(_ sql: String, on db: OpaquePointer, columns: Int32) throws -> [[String]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw StoreError.invalidInput("internal query failed: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        var values: [[String]] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: values.append((0..<columns).map { sqlite3_column_text(statement, $0).map { String(cString: $0) } ?? "" })
            case SQLITE_DONE: return values
            default: throw StoreError.invalidInput("internal query failed: \(String(cString: sqlite3_errmsg(db)))")
            }
        }
    }

    private var lastError: String { String(cString: sqlite3_errmsg(handle)) }
}

/// When a scoped statement must stop: a runaway query (a recursive CTE with
/// no end, a cross join of every table) must not hold a thread for ever.
private final class QueryDeadline {
    /// Virtual-machine steps between two looks at the clock: cheap, yet a few ms apart at most.
    static let opcodesPerCheck: Int32 = 10_000
    let instant: ContinuousClock.Instant

    init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    var hasPassed: Bool { ContinuousClock.now >= instant }
}

/// What a scoped connection may compile: reads, and only through its views.
final class ScopePolicy: Sendable {
    /// Base table name -> the inner view that alone may read it.
    let innerViews: [String: String]
    /// The connection's TEMP views, all of them scoped.
    let tempViews: Set<String>
    /// What an unqualified name may resolve to outside the query and the
    /// scope: the file's tables and views, SQLite's own tables, eponymous
    /// virtual tables (lowercase).
    let outsideNames: Set<String>
    /// Set while the connection itself looks up which tables a statement opens.
    let readingSchema = Atomic<Bool>(false)

    /// Lists `outsideNames` on a connection whose authorizer is not yet installed.
    static let outsideNamesSQL = """
        SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view')
        UNION SELECT name FROM pragma_module_list
        UNION VALUES ('sqlite_master'), ('sqlite_schema'), ('sqlite_temp_master'), ('sqlite_temp_schema')
        """

    /// Virtual tables that read only their arguments, never the file.
    private static let argumentTables: Set<String> = ["json_each", "json_tree"]
    /// Built-in functions that reach beyond the query (extensions, tokenizer pointers).
    /// `sqlite_offset` tells where a row lies in the file, and so how much lies before it.
    private static let refusedFunctions: Set<String> = ["load_extension", "fts3_tokenizer", "sqlite_offset"]

    init(innerViews: [String: String], tempViews: Set<String>, outsideNames: Set<String>) {
        self.innerViews = innerViews
        self.tempViews = tempViews
        self.outsideNames = outsideNames
    }

    func allows(action: Int32, _ first: String?, _ second: String?, database: String?, innermost: String?) -> Bool {
        switch action {
        case SQLITE_SELECT, SQLITE_RECURSIVE:
            return true
        case SQLITE_FUNCTION:
            return !Self.refusedFunctions.contains(second?.lowercased() ?? "")
        case SQLITE_READ:
            guard let table = first?.lowercased() else { return false }
            if table == "sqlite_master", database == "main", readingSchema.load(ordering: .sequentiallyConsistent) { return true }
            if Self.argumentTables.contains(table) { return true }
            switch database {
            case nil:
                // A reference that reads no column: SQLite gives no database, so
                // the name alone says whether it may be the file's table (or
                // a pragma's). A CTE named like one is refused with it.
                return tempViews.contains(table) || !(outsideNames.contains(table) || table.hasPrefix("pragma_"))
            case "temp": return tempViews.contains(table)
            case "main": return innerViews[table] != nil && innerViews[table] == innermost?.lowercased()
            default: return false
            }
        default:
            return false
        }
    }
}

private func scopeAuthorizer(context: UnsafeMutableRawPointer?, action: Int32, first: UnsafePointer<CChar>?,
                             second: UnsafePointer<CChar>?, database: UnsafePointer<CChar>?,
                             innermost: UnsafePointer<CChar>?) -> Int32 {
    guard let context else { return SQLITE_DENY }
    let policy = Unmanaged<ScopePolicy>.fromOpaque(context).takeUnretainedValue()
    return policy.allows(action: action, first.map { String(cString: $0) }, second.map { String(cString: $0) },
                         database: database.map { String(cString: $0) }, innermost: innermost.map { String(cString: $0) })
        ? SQLITE_OK : SQLITE_DENY
}
