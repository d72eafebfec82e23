import GHLStore

/// `ViewReader` through a store's access layer: the SQLite file's scoped
/// connections, which see only the user's sources whatever the SQL says, or
/// PostgreSQL's own row-level security.
public struct ScopedViewReader: ViewReader {
    let pages: any ViewPageReader
    /// The columns of each reporting view (schema, not data: read once, unscoped).
    private let viewColumns: [String: [String]]

    public init(store: Store, reader: ScopedReader) async throws {
        self.init(columns: try await store.reportingViewColumns(), pages: reader)
    }

    public init(columns: [String: [String]], pages: any ViewPageReader) {
        self.pages = pages
        viewColumns = columns
    }

    public func columns(of view: String) throws -> [String] {
        guard let columns = viewColumns[view] else {
            throw ViewQueryError(.unknownView, "Could not find the table 'public.\(view)' in the schema cache",
                                 hint: "The views are: \(viewColumns.keys.sorted().joined(separator: ", "))")
        }
        return columns
    }

    public func read(_ query: ViewQuery, for user: RequestUser, countTotal: Bool) async throws -> ViewPage {
        try await pages.read(query, scope: user.scope, countTotal: countTotal)
    }
}
