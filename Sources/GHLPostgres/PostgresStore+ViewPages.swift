import GHLStore
import NIOCore
import PostgresNIO

/// `/rest/v1/{view}` on PostgreSQL: the `ViewQuery` grammar rendered as
/// PostgreSQL SQL, each read one read-only transaction under the user's
/// claims (`readAsUser`), so the database's RLS decides which rows exist.
extension PostgresStore: ViewPageReader {
    /// How long one statement of a request may run, as the SQLite reader's `timeLimit`.
    static let requestTimeLimit = 30_000

    /// The columns of each reporting view, in order, by view name.
    public func reportingViewColumns() async throws -> [String: [String]] {
        var columns: [String: [String]] = [:]
        for try await (view, column) in try await client.query("""
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY(\(ReportingViews.names))
            ORDER BY table_name, ordinal_position
            """, logger: logger).decode((String, String).self) {
            columns[view, default: []].append(column)
        }
        return columns
    }

    public func read(_ query: ViewQuery, scope: AccessScope, countTotal: Bool) async throws -> ViewPage {
        let sourceIds = query.sourceIds(within: scope.sourceIds.sorted())
        guard !sourceIds.isEmpty else {
            return ViewPage(rows: ScopedRows(columns: query.resultColumns, values: []), total: countTotal ? 0 : nil)
        }
        let (select, count, arguments) = query.postgresSQL(sourceIds: sourceIds)
        var binds = PostgresBindings()
        for argument in arguments { binds.append(UntypedText(text: argument)) }
        do {
            return try await page(select, count: count, binds: binds, userId: scope.userId, countTotal: countTotal)
        } catch {
            throw Self.readFailure(error)
        }
    }

    private func page(_ select: String, count: String, binds: PostgresBindings, userId: String, countTotal: Bool) async throws -> ViewPage {
        try await readAsUser(userId) { connection in
            try await execute(PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(Self.requestTimeLimit)"), on: connection)
            // As `query --as`: the views' month buckets and instants in UTC, whatever the database's default.
            try await execute("SET LOCAL TimeZone = 'UTC'", on: connection)
            let page = try await self.query(select, binds: binds, on: connection)
            var total: Int?
            if countTotal, case .integer(let counted) = try await self.query(count, binds: binds, on: connection).rows.first?.first {
                total = Int(counted)
            }
            return ViewPage(rows: ScopedRows(columns: page.columns, values: page.rows), total: countTotal ? total ?? 0 : nil)
        }
    }

    /// A failed read as the file's reader says it (`StoreError`, which the
    /// server maps): past the time limit, `timeLimitExceeded`; a filter's value
    /// its column cannot take or an operator its type lacks, `invalidInput`.
    static func readFailure(_ error: any Error) -> any Error {
        let cause = Self.cause(of: error)
        guard let failure = cause as? PSQLError else { return cause }
        switch failure.serverInfo?[.sqlState] {
        case "57014": return StoreError.timeLimitExceeded(seconds: Double(requestTimeLimit) / 1_000)
        case "22P02", "42883": return StoreError.invalidInput(message(for: failure))
        default: return cause
        }
    }
}

/// A filter's value as text of no declared type, so that the server types it
/// from the column it meets (`numeric`, `timestamptz`, `text`), as PostgREST binds.
struct UntypedText: PostgresDynamicTypeEncodable {
    let text: String
    var psqlType: PostgresDataType { .unknown }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}
