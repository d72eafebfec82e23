/// One answer of a `ViewQuery`: its rows, and how many rows match without
/// limit and offset when that was asked for (`Prefer: count=exact`).
public struct ViewPage: Sendable, Equatable {
    public var rows: ScopedRows
    public var total: Int?

    public init(rows: ScopedRows, total: Int?) {
        self.rows = rows
        self.total = total
    }
}
