import GRDB

/// The tables of a ghlsync file that `migrate-to-postgres` copies, parents
/// before the rows that point at them. Not copied: sessions (each user signs in
/// again), leases, seen sets and webhook receipts (a run's or a day's working
/// state), and the change log (history of this file's own realtime feed).
public enum CopiedTable: String, CaseIterable, Sendable {
    case sources = "ghl_sources"
    case users
    case userSources = "user_sources"
    case syncJobs = "ghl_sync_jobs"
    case contacts = "ghl_contacts"
    case opportunities = "ghl_opportunities"
    case pipelines = "ghl_pipelines"
    case orders = "ghl_orders"
    case payments = "ghl_payments"
    case reviews = "ghl_reviews"
    case syncCursors = "sync_cursors"
}

/// Some rows of a copied table, and where the next batch starts.
public struct TableRows: Sendable {
    public var rows: [[StoreValue]]
    /// The last row's rowid, to read on from; nil when the table has no more rows.
    public var next: Int64?
}

extension Store {
    /// The columns of `table`, in their order in the file.
    public func columns(of table: CopiedTable) async throws -> [String] {
        try await pool.read { db in try db.columns(in: table.rawValue).map(\.name) }
    }

    /// Up to `limit` rows of `table` whose rowid is past `after`, in rowid
    /// order, with `columns` (names of `columns(of:)`) in that order: one
    /// batch of a copy that streams the table without holding a reader between batches.
    public func rows(of table: CopiedTable, columns: [String], after: Int64, limit: Int) async throws -> TableRows {
        let known = Set(try await self.columns(of: table))
        guard !columns.isEmpty else { throw StoreError.invalidInput("no columns of \(table.rawValue) to read") }
        if let unknown = columns.first(where: { !known.contains($0) }) {
            throw StoreError.invalidInput("\(table.rawValue) has no column \(unknown)")
        }
        return try await pool.read { db in
            let selected = (["rowid"] + columns.map { $0.quotedDatabaseIdentifier }).joined(separator: ", ")
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(selected) FROM \(table.rawValue) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                             arguments: [after, limit])
            var rows: [[StoreValue]] = []
            var last = after
            while let row = try cursor.next() {
                last = row[0]
                rows.append((1...columns.count).map { StoreValue(row[$0] as DatabaseValue) })
            }
            return TableRows(rows: rows, next: rows.count == limit ? last : nil)
        }
    }
}
