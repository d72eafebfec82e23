import GHLStore

/// `ViewReader` through GHLStore's access layer: each statement runs on a
/// connection that sees only the scope's sources, whatever its SQL says.
public struct ScopedViewReader: ViewReader {
    let reader: ScopedReader
    private let catalog: StoreViewReader

    public init(store: Store, reader: ScopedReader) throws {
        self.reader = reader
        catalog = try StoreViewReader(store: store)
    }

    public func columns(of view: String) throws -> [String] { try catalog.columns(of: view) }

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
