import GRDB

extension Store {
    /// Throws unless a reader can run a statement on the file: what the
    /// server's health route reports.
    public func checkReadable() async throws {
        _ = try await pool.read { try Int.fetchOne($0, sql: "SELECT 1") }
    }
}
