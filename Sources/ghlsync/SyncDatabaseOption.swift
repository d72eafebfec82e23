import ArgumentParser
import GHLAPI
import GHLPostgres
import GHLStore
import GHLSync

/// `--db FILE|URL` for the commands that run on PostgreSQL too (`sync`,
/// `sources`, `status`, `users`, `serve`, `export`); the others take
/// `DatabaseOption`, which refuses a URL in one line.
struct SyncDatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: """
        The ghlsync SQLite file, or postgres://user[:password]@host:port/db[?sslmode=require] (default: $\(DatabaseTarget.environmentVariable)).
        """)
    var given: String?

    func validate() throws {
        _ = try DatabaseTarget(given)
    }

    /// Runs `body` with the database open: an existing file, or a PostgreSQL
    /// database that `init` has created, brought up to date (its pool closed afterwards).
    func with<T>(_ body: (OpenDatabase) async throws -> T) async throws -> T {
        switch try DatabaseTarget(given) {
        case .file(let path):
            return try await body(.file(try DatabaseOption.openExisting(path)))
        case .postgres(let url):
            let store = try PostgresStore(url: url)
            do {
                try await store.checkConnection()
                guard try await !store.appliedMigrations().isEmpty else {
                    throw CLIError("\(url) has no ghlsync schema: run `ghlsync init --db \(url)` first")
                }
                // What a newer ghlsync adds to a database an older one created; nothing (and no DDL) when current.
                try await store.migrate()
                let result = try await body(.postgres(store))
                await store.close()
                return result
            } catch {
                await store.close()
                // The command's own errors as they are; the database's in one line.
                if error is CLIError || error is StoreError || error is ExitCode || error is ValidationError || error is SyncError
                    || error is GHLAPIError { throw error }
                throw CLIError("\(url): \(PostgresStore.message(for: error))")
            }
        }
    }
}

/// A database `SyncDatabaseOption` opened.
enum OpenDatabase {
    case file(Store)
    case postgres(PostgresStore)

    var syncStore: any SyncStore {
        switch self {
        case .file(let store): store
        case .postgres(let store): store
        }
    }

    var accountStore: any AccountStore {
        switch self {
        case .file(let store): store
        case .postgres(let store): store
        }
    }

    var sourceAdminStore: any SourceAdminStore {
        switch self {
        case .file(let store): store
        case .postgres(let store): store
        }
    }
}
