import GHLPostgres

/// How a command works on a `postgres://` database: connect (saying in one
/// line why it cannot), run, and close the pool whatever happens, with the
/// database's errors said in one line.
enum PostgresCommand {
    static func run<T>(_ url: PostgresURL, _ body: (PostgresStore) async throws -> T) async throws -> T {
        let store = try PostgresStore(url: url)
        do {
            try await store.checkConnection()
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            if error is CLIError { throw error }
            throw CLIError(error is PostgresStoreError ? "\(error)" : "\(url): \(String(reflecting: error))")
        }
    }
}
