import ArgumentParser
import Foundation
import GHLAuth
import GHLPostgres
import GHLStore

/// `--db FILE`, shared by every command that works on a ghlsync file only.
/// A `postgres://` URL (given or from `GHLSYNC_DATABASE_URL`) is refused:
/// `init`, `sync`, `sources add`/`list`, `status`, `users` and `serve` run on
/// PostgreSQL (`SyncDatabaseOption`), the others not yet.
struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: "The ghlsync SQLite file (default: $\(DatabaseTarget.environmentVariable)).")
    var given: String?

    /// The file, once `validate()` has checked there is one.
    var db: String { given ?? DatabaseTarget.fromEnvironment ?? "" }

    func validate() throws {
        switch try DatabaseTarget(given) {
        case .file: break
        case .postgres: throw CLIError(Self.postgresRefusal)
        }
    }

    static let postgresRefusal = "this command does not run on PostgreSQL yet: only init, sync, sources add, sources list, status, users, serve, query and migrate-to-postgres do"

    /// Opens an existing file; a missing one is an error, not a new empty file.
    func open() throws -> Store {
        try Self.openExisting(db)
    }

    static func openExisting(_ path: String) throws -> Store {
        do { return try Store.openExisting(path: path) } catch let error as StoreError {
            throw CLIError(error.cliMessage)
        }
    }
}

/// Runs `body`, turning store and auth errors into clean messages with a non-zero exit.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as StoreError {
        throw CLIError(error.cliMessage)
    } catch let error as AuthError {
        throw CLIError(error.description)
    }
}
