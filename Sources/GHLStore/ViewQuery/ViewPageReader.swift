/// Where `/rest/v1/{view}` reads run: the SQLite file's `ScopedReader`
/// (emulated row-level security) or PostgreSQL (the database's own).
public protocol ViewPageReader: Sendable {
    /// One page of `query`, never beyond `scope`'s sources.
    func read(_ query: ViewQuery, scope: AccessScope, countTotal: Bool) async throws -> ViewPage
}

extension ScopedReader: ViewPageReader {}
