/// What one user may read: their own id and the sources they hold a grant on.
///
/// The scope is the key of the row-level security emulation: `ScopedReader`
/// shows a scope only the rows whose `source_id` is in `sourceIds`, and of
/// `user_sources` only the user's own grants. It is computed in one place,
/// `Store.accessScope(of:)` (cached by `AccessScopes`), from the grants at
/// request time, so a revoked grant yields a smaller scope on the very next read.
public struct AccessScope: Hashable, Sendable {
    public var userId: String
    public var sourceIds: Set<String>
    /// The sources in scope with the user's role on each, in the store's
    /// order of sources. Empty for a scope given by hand (`init(userId:sourceIds:)`).
    public private(set) var grants: [Grant]

    /// One source the user holds, with what the dashboard shows of it. A
    /// source's name, location and currency never change once registered.
    public struct Grant: Hashable, Sendable {
        public var sourceId: String
        public var name: String
        public var locationId: String
        public var currency: String
        /// As `user_sources.role` stores it: `owner`, `editor` or `viewer`.
        public var role: String

        public init(sourceId: String, name: String, locationId: String, currency: String, role: String) {
            self.sourceId = sourceId
            self.name = name
            self.locationId = locationId
            self.currency = currency
            self.role = role
        }
    }

    public init(userId: String, sourceIds: Set<String>) {
        self.userId = userId
        self.sourceIds = sourceIds
        grants = []
    }

    public init(userId: String, grants: [Grant]) {
        self.userId = userId
        sourceIds = Set(grants.map(\.sourceId))
        self.grants = grants
    }

    /// The user's role on the source, or nil without a grant.
    public func role(on sourceId: String) -> String? {
        grants.first { $0.sourceId == sourceId }?.role
    }

    /// Scopes are equal when they read the same rows (`ScopedReader` keeps
    /// connections by scope): roles and names are for showing, not for reading.
    public static func == (lhs: AccessScope, rhs: AccessScope) -> Bool {
        lhs.userId == rhs.userId && lhs.sourceIds == rhs.sourceIds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(userId)
        hasher.combine(sourceIds)
    }

    /// The tables a scope reads. Every other table of the file (users,
    /// sessions, cursors, receipts) is out of reach.
    static let tables: [String] = ["ghl_sources", "user_sources", "ghl_sync_jobs"] + Entity.allCases.map(\.table)

    /// What a scope sees as `table`'s `id`, where the file's own would leak:
    /// the file numbers records and sync jobs across all sources, so the gaps
    /// in a source's ids would count the others' inserts. A record's id is
    /// GHL's id; a job's, its number within its source.
    public static func scopedId(of table: String) -> String? {
        if table == "ghl_sync_jobs" { return "source_job_number" }
        return Entity.allCases.first { $0.table == table }?.idColumn
    }

    /// The condition that keeps the scope's rows of `table`.
    /// The column each table's scope filter leads with: an index led by it
    /// reads only the scope's entries.
    static func scopeColumn(of table: String) -> String {
        switch table {
        case "ghl_sources": "id"
        case "user_sources": "user_id"
        default: "source_id"
        }
    }

    /// `name␟sql` of every index of a scoped table led by its scope column.
    static var scopedIndexesSQL: String {
        let leading = "CASE m.tbl_name " + tables.map { "WHEN \(sqlLiteral($0)) THEN \(sqlLiteral(scopeColumn(of: $0)))" }.joined(separator: " ") + " END"
        return """
            SELECT m.name || char(31) || ifnull(m.sql, '') FROM main.sqlite_schema m
            WHERE m.type = 'index' AND m.tbl_name IN (\(tables.map(sqlLiteral).joined(separator: ", ")))
              AND (SELECT i.name FROM pragma_index_info(m.name) i WHERE i.seqno = 0) = \(leading)
            """
    }

    func filter(_ table: String) -> String {
        switch table {
        case "ghl_sources": "id IN \(sourceList)"
        case "user_sources": "user_id = \(sqlLiteral(userId)) AND source_id IN \(sourceList)"
        default: "source_id IN \(sourceList)"
        }
    }

    /// `('a', 'b')`, sorted so that equal scopes build identical SQL. An empty
    /// scope is `(NULL)`, not `()`: SQLite folds `IN ()` to false, drops the
    /// filter, and then authorizes `count(*)` as a bare read of the base table,
    /// which the authorizer refuses: a user with no grants would get errors
    /// instead of empty results.
    private var sourceList: String {
        sourceIds.isEmpty ? "(NULL)" : "(" + sourceIds.sorted().map(sqlLiteral).joined(separator: ", ") + ")"
    }
}

/// A SQL string literal: single quotes doubled, so the value can never end the literal.
func sqlLiteral(_ value: String) -> String {
    "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
}

/// A quoted SQL identifier; callers only pass names they validated against a known list.
func sqlIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
