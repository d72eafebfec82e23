import GHLStore

/// `ViewReader` through GHLStore's access layer: each statement runs on a
/// connection that sees only the user's sources, whatever its SQL says.
public struct ScopedViewReader: ViewReader {
    let reader: ScopedReader
    /// The columns of each reporting view (schema, not data: read once, unscoped).
    private let viewColumns: [String: [String]]

    public init(store: Store, reader: ScopedReader) async throws {
        self.reader = reader
        viewColumns = try await store.reportingViewColumns()
    }

    public func columns(of view: String) throws -> [String] {
        guard let columns = viewColumns[view] else {
            throw ViewQueryError(.unknownView, "Could not find the table 'public.\(view)' in the schema cache",
                                 hint: "The views are: \(viewColumns.keys.sorted().joined(separator: ", "))")
        }
        return columns
    }

    public func read(_ query: ViewQuery, for user: RequestUser, countTotal: Bool) async throws -> ViewPage {
        try await reader.read(query, scope: user.scope, countTotal: countTotal)
    }
}
