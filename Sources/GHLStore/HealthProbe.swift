import GRDB

/// The health check's probe of the file, so the server runs no SQL of its own.
extension Store {
    /// Throws when the file cannot answer a read.
    public func probe() async throws {
        _ = try await pool.read { try Int.fetchOne($0, sql: "SELECT 1") }
    }
}
