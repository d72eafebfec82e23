import Logging
import PostgresNIO

/// ghlsync's PostgreSQL database (first slice): a pooled client, the schema
/// migrations, reads run as a user under the database's row-level security,
/// and the few writes that seed them. It owns all of its SQL, as `Store` does
/// for the SQLite file.
public final class PostgresStore: Sendable {
    public let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// Starts a connection pool for `url`; nothing is sent until the first query.
    public init(url: PostgresURL) throws {
        self.url = url
        client = PostgresClient(configuration: try url.configuration())
        logger = Logger(label: "ghlsync.postgres")
        running = Task { [client] in await client.run() }
    }

    /// Closes the pool's connections.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// Connects once outside the pool and hangs up: the pool retries a server
    /// it cannot reach for as long as a request waits, so a command checks
    /// first and reports why it cannot connect.
    public func checkConnection() async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: url.connectionConfiguration(), id: 0, logger: logger)
            try await connection.close()
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw PostgresStoreError("cannot connect to \(url): \(String(reflecting: error))")
        }
    }

    /// The health check's probe: throws when the database cannot be read.
    public func probe() async throws {
        try await client.query("SELECT 1 FROM ghlsync_migrations LIMIT 1", logger: logger)
    }

    /// Runs `body` in one transaction, rethrowing what it threw as itself
    /// (not in postgres-nio's wrapper), so that callers see the store's own errors.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do { return try await client.withTransaction(logger: logger) { try await body($0) } } catch { throw Self.cause(of: error) }
    }

    /// Runs one statement, discarding any rows.
    func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        try await connection.query(query, logger: logger)
    }
}
