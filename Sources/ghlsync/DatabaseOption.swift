import ArgumentParser
import Foundation
import GHLAuth
import GHLPostgres
import GHLStore

/// `--db FILE`, for `connect` (and bench's hidden file writer), which work on a ghlsync file only. A
/// `postgres://` URL (given or from `GHLSYNC_DATABASE_URL`) is refused in one
/// line; the other commands take `SyncDatabaseOption` and run on PostgreSQL
/// (`snapshot` refuses it with its own reason).
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

    static let postgresRefusal = "this command needs a SQLite file: connect keeps the tokens it receives in 0600 files beside it; on PostgreSQL, add sources with `sources import --agency-credentials FILE` or `sources add --token-file FILE`"

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
