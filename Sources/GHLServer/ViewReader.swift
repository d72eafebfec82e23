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
