import GHLStore
import GRDB

/// One answer of `/rest/v1/{view}`: the rows already encoded as a JSON array.
public struct ViewPage: Sendable {
    public var json: [UInt8]
    public var rowCount: Int
    /// The number of matching rows without limit/offset, when it was asked for.
    public var total: Int?
}

/// Reads the reporting views for a user, never beyond that user's sources.
public protocol ViewReader: Sendable {
    /// The columns of a reporting view; throws `StoreError.unknownView` for anything else.
    func columns(of view: String) throws -> [String]
    func read(_ query: RestQuery, for user: RequestUser, countTotal: Bool) async throws -> ViewPage
}

/// Reads the views of a `Store`, each query restricted to the user's source ids.
///
/// The restriction is part of every statement `RestQuery` compiles, so a
/// `source_id=eq.` naming someone else's source matches nothing.
public struct StoreViewReader: ViewReader {
    let store: Store
    private let viewColumns: [String: [String]]

    public init(store: Store) throws {
        self.store = store
        viewColumns = try store.pool.read { db in
            try Dictionary(uniqueKeysWithValues: ReportingViews.names.map { ($0, try db.columns(in: $0).map(\.name)) })
        }
    }

    public func columns(of view: String) throws -> [String] {
        guard let columns = viewColumns[view] else { throw StoreError.unknownView(view) }
        return columns
    }

    public func read(_ query: RestQuery, for user: RequestUser, countTotal: Bool) async throws -> ViewPage {
        let sourceIds = user.sourceIds
        return try await store.pool.read { db in
            let (sql, arguments) = query.selectSQL(from: query.view, sourceIds: sourceIds)
            var writer = JSONRowWriter()
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() { writer.append(row) }
            var total: Int?
            if countTotal {
                let (countSQL, countArguments) = query.countSQL(from: query.view, sourceIds: sourceIds)
                total = try Int.fetchOne(db, sql: countSQL, arguments: countArguments)
            }
            return ViewPage(json: writer.finish(), rowCount: writer.count, total: total)
        }
    }
}
