import GHLStore
import PostgresNIO

/// `export` on PostgreSQL: a reporting view read in one read-only transaction
/// (one snapshot, as the file reads it), its rows handed on as the server sends
/// them, values and instants as the file's export writes them.
extension PostgresStore {
    public func export(view name: String, columns: ([String]) throws -> Void, row: ([StoreValue]) throws -> Void) async throws {
        let sql = try ReadOnlyQuery.view(name).sql
        try await transaction { connection in
            try await execute("SET TRANSACTION READ ONLY", on: connection)
            try await execute("SET LOCAL TimeZone = 'UTC'", on: connection)
            try await stream(sql, on: connection, columns: columns, row: row)
        }
    }
}
