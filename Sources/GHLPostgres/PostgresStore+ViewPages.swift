import GHLStore
import NIOCore
import PostgresNIO

/// `/rest/v1/{relation}` on PostgreSQL: the `ViewQuery` grammar rendered as
/// PostgreSQL SQL, each read one read-only transaction under the user's
/// claims (`readAsUser`), so the database's RLS decides which rows exist.
extension PostgresStore: ViewPageReader {
    /// How long one statement of a request may run, as the SQLite reader's `timeLimit`.
    static let requestTimeLimit = 30_000

    /// The columns of each relation `/rest/v1` serves, in order, by name: the
    /// seven views and, as Supabase serves them under RLS, the tables of a
    /// source's rows (`ghl_sources`, whose source column is its `id`, aside).
    public func restRelationColumns() async throws -> [String: [String]] {
        let names = PostgresRelation.allCases.filter { $0 != .sources }.map(\.rawValue)
        var columns: [String: [String]] = [:]
        for try await (relation, column) in try await client.query("""
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY(\(names))
            ORDER BY table_name, ordinal_position
            """, logger: logger).decode((String, String).self) {
            columns[relation, default: []].append(column)
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
        return try await readAsUser(scope.userId) { [binds] connection in
            try await execute(PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(Self.requestTimeLimit)"), on: connection)
            let page = try await self.query(select, binds: binds, on: connection)
            var total: Int?
            if countTotal, case .integer(let counted) = try await self.query(count, binds: binds, on: connection).rows.first?.first {
                total = Int(counted)
            }
            return ViewPage(rows: ScopedRows(columns: page.columns, values: page.rows), total: countTotal ? total ?? 0 : nil)
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
