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

    /// Reads under the user's scope narrowed to the sources the query names:
    /// a view's rows of one source come only from that source's rows (see
    /// `ReportingViews`), so the narrower scope gives the same answer, and its
    /// connection's filters keep SQLite from aggregating the other sources
    /// where it cannot push `source_id = ?` into a view's subqueries.
    public func read(_ query: RestQuery, for user: RequestUser, countTotal: Bool) async throws -> ViewPage {
        let sourceIds = query.sourceIds(within: user.sourceIds)
        guard !sourceIds.isEmpty else { return ViewPage(json: Array("[]".utf8), rowCount: 0, total: countTotal ? 0 : nil) }
        let scope = AccessScope(userId: user.id, sourceIds: Set(sourceIds))
        let (sql, arguments) = query.selectSQL(from: query.view, sourceIds: sourceIds)
        let rows = try await reader.fetch(sql, arguments: arguments, scope: scope)
        var total: Int?
        if countTotal {
            let (countSQL, countArguments) = query.countSQL(from: query.view, sourceIds: sourceIds)
            total = try await reader.fetch(countSQL, arguments: countArguments, scope: scope).rows.first?.first
                .flatMap { Int.fromDatabaseValue($0) }
        }
        return ViewPage(json: Array(rows.jsonData()), rowCount: rows.rows.count, total: total)
    }
}
