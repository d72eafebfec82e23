import Foundation
import GRDB

/// A read-only SQL query for offline analysis: `ghlsync query` and `export`.
///
/// The statement is compiled first and refused unless SQLite itself says it
/// cannot write, so `query` can never change the file.
public struct ReadOnlyQuery: Sendable {
    public var sql: String
    public var arguments: StatementArguments

    public init(sql: String, arguments: StatementArguments = []) {
        self.sql = sql
        self.arguments = arguments
    }

    /// A whole view, in its natural order.
    public static func view(_ name: String) throws -> ReadOnlyQuery {
        guard ReportingViews.names.contains(name) else { throw StoreError.unknownView(name) }
        return ReadOnlyQuery(sql: "SELECT * FROM \(name)")
    }

    /// Compiles and runs the query on `db`, passing the column names and then
    /// each row's values to `body`, one row at a time (no full result in memory).
    func run(in db: Database, columns: ([String]) throws -> Void, row: ([DatabaseValue]) throws -> Void) throws {
        let statement: Statement
        do {
            let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw StoreError.invalidInput("empty query") }
            statement = try db.makeStatement(sql: trimmed)
        } catch let error as DatabaseError {
            throw StoreError.invalidInput("invalid SQL: \(error.message ?? "\(error)")")
        }
        guard statement.isReadonly else {
            throw StoreError.invalidInput("query is read-only: it runs SELECT statements only, not \(sql.split(separator: " ").first.map(String.init) ?? "writes")")
        }
        try statement.setArguments(arguments)
        try columns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement)
        while let next = try cursor.next() {
            try row(next.databaseValues.map { $0 })
        }
    }
}

extension Store {
    /// Runs a read-only query as the service role (the file's owner on the CLI).
    public func query(_ query: ReadOnlyQuery, columns: @Sendable ([String]) throws -> Void,
                      row: @Sendable ([StoreValue]) throws -> Void) async throws {
        try await pool.read { db in try query.run(in: db, columns: columns) { try row($0.map(StoreValue.init)) } }
    }
}
