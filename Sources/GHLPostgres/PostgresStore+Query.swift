import GHLStore
import PostgresNIO

/// A query's result, read whole: `query --as` shows rows only once the
/// database has confirmed the statement ran as the user it was meant to.
public struct PostgresQueryResult: Sendable {
    public var columns: [String]
    public var rows: [[StoreValue]]
}

extension PostgresStore {
    /// Runs one read-only SQL query (a SELECT, WITH, VALUES or TABLE), as `userId`
    /// under the database's RLS (`readAsUser`), or as the connecting role when
    /// nil; `timeLimit` becomes the statement's timeout.
    ///
    /// The query is run as a sub-query, so nothing but one query gets through,
    /// and a user's query may not call `set_config`, the one way a query could
    /// change the role or the claims it runs under; that they are unchanged is
    /// checked again before any row is handed back.
    public func query(_ sql: String, asUser userId: String?, timeLimit: Duration) async throws -> PostgresQueryResult {
        let body = String(sql.trimmingTrailing { $0 == ";" || $0.isWhitespace })
        if userId != nil {
            let folded = body.lowercased().replacingOccurrences(of: "\"", with: "")
            guard !folded.contains("set_config"), !folded.contains("u&") else {
                throw PostgresStoreError("a query run as a user may not call set_config or use U& escapes")
            }
        }
        let milliseconds = max(1, timeLimit.components.seconds * 1000 + timeLimit.components.attoseconds / 1_000_000_000_000_000)
        let run: (PostgresConnection) async throws -> PostgresQueryResult = { connection in
            try await self.execute(PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(milliseconds)"), on: connection)
            try await self.execute("SET LOCAL TimeZone = 'UTC'", on: connection)
            let identity = try await self.identity(on: connection)
            let result = try await self.query(body, on: connection)
            guard try await self.identity(on: connection) == identity else {
                throw PostgresStoreError("the query changed the role or claims it runs under; nothing is shown")
            }
            return result
        }
        do {
            if let userId { return try await readAsUser(userId, run) }
            return try await client.withTransaction(logger: logger) { connection in
                try await execute("SET TRANSACTION READ ONLY", on: connection)
                return try await run(connection)
            }
        } catch {
            throw Self.queryFailure(error)
        }
    }

    /// The database's reason in one line (a syntax error says which queries are accepted).
    private static func queryFailure(_ error: Error) -> Error {
        let cause = Self.cause(of: error)
        guard let failure = cause as? PSQLError, let message = failure.serverInfo?[.message] else { return cause }
        let syntax = failure.serverInfo?[.sqlState] == "42601" ? " (one SELECT, WITH, VALUES or TABLE query is accepted)" : ""
        return PostgresStoreError("query failed: \(message)\(syntax)")
    }

    /// The id of the user with `email` (any case), nil when there is none.
    public func userID(email: String) async throws -> String? {
        let rows = try await client.query("SELECT id FROM users WHERE lower(email) = lower(\(email))", logger: logger)
        for try await id in rows.decode(String.self) { return id }
        return nil
    }

    /// The role and claims the transaction runs under.
    private func identity(on connection: PostgresConnection) async throws -> String {
        let rows = try await connection.query(
            "SELECT current_user::text || '|' || coalesce(current_setting('request.jwt.claims', true), '')", logger: logger)
        for try await text in rows.decode(String.self) { return text }
        return ""
    }

    /// The whole result of `stream`.
    func query(_ body: String, binds: PostgresBindings = PostgresBindings(),
               on connection: PostgresConnection) async throws -> PostgresQueryResult {
        var result = PostgresQueryResult(columns: [], rows: [])
        try await stream(body, binds: binds, on: connection, columns: { result.columns = $0 }, row: { result.rows.append($0) })
        return result
    }

    /// Reads the column names and types, then every value as text, typed back
    /// as integers and reals where the column is numeric; instants read as the
    /// SQLite store writes them (`timestampText`). `binds` fill the body's `$1`...
    /// Rows are handed to `row` one at a time, as the server sends them.
    func stream(_ body: String, binds: PostgresBindings = PostgresBindings(), on connection: PostgresConnection,
                columns names: ([String]) throws -> Void, row: ([StoreValue]) throws -> Void) async throws {
        let probe = try await connection.query(PostgresQuery(unsafeSQL: "SELECT * FROM (\n\(body)\n) AS q LIMIT 0", binds: binds),
                                               logger: logger)
        let columns = probe.columns.map { (name: $0.name, type: $0.dataType) }
        for try await _ in probe {}
        try names(columns.map(\.name))
        // Renamed by position, so that two columns of one name stay apart.
        let aliases = columns.indices.map { "c\($0)" }
        let selected = zip(aliases, columns).map { alias, column in
            column.type == .timestamptz ? Self.timestampText(alias) : "\(alias)::text"
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT \(selected.joined(separator: ", "))
            FROM (
            \(body)
            ) AS q (\(aliases.joined(separator: ", ")))
            """, binds: binds), logger: logger)
        for try await values in rows {
            try row(try zip(values, columns).map { cell, column in
                guard let text = try cell.decode(String?.self) else { return .null }
                switch column.type {
                case .int2, .int4, .int8, .oid: return Int64(text).map(StoreValue.integer) ?? .text(text)
                case .float4, .float8, .numeric: return Double(text).map(StoreValue.real) ?? .text(text)
                default: return .text(text)
                }
            })
        }
    }
}

private extension String {
    func trimmingTrailing(while drop: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, drop(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
