import GHLStore
import GRDB

/// `ViewReader` through GHLStore's access layer: each statement runs on a
/// connection that sees only the user's sources, whatever its SQL says.
/// `RestQuery` also names those sources in its own WHERE clause, which lets
/// SQLite use the `source_id` indexes; the scope is what guarantees the limit.
public struct ScopedViewReader: ViewReader {
    let reader: ScopedReader
    /// The columns of each reporting view (schema, not data: read once, unscoped).
    private let viewColumns: [String: [String]]

    public init(store: Store, reader: ScopedReader) throws {
        self.reader = reader
        viewColumns = try store.pool.read { db in
            try Dictionary(uniqueKeysWithValues: ReportingViews.names.map { ($0, try db.columns(in: $0).map(\.name)) })
        }
    }

    public func columns(of view: String) throws -> [String] {
        guard let columns = viewColumns[view] else { throw StoreError.unknownView(view) }
        return columns
    }

    public func read(_ query: RestQuery, for user: RequestUser, countTotal: Bool) async throws -> ViewPage {
        let scope = AccessScope(userId: user.id, sourceIds: Set(user.sourceIds))
        let (sql, arguments) = query.selectSQL(from: query.view, sourceIds: user.sourceIds)
        let rows = try await reader.fetch(sql, arguments: arguments, scope: scope)
        var total: Int?
        if countTotal {
            let (countSQL, countArguments) = query.countSQL(from: query.view, sourceIds: user.sourceIds)
            total = try await reader.fetch(countSQL, arguments: countArguments, scope: scope).rows.first?.first
                .flatMap { Int.fromDatabaseValue($0) }
        }
        return ViewPage(json: Array(rows.jsonData()), rowCount: rows.rows.count, total: total)
    }
}
