import GHLStore

/// Reads the reporting views for a user, never beyond that user's sources.
public protocol ViewReader: Sendable {
    /// The columns of a reporting view; throws `ViewQueryError` (`unknownView`) for anything else.
    func columns(of view: String) throws -> [String]
    func read(_ query: ViewQuery, for user: RequestUser, countTotal: Bool) async throws -> ViewPage
}
