import ArgumentParser
import GHLAuth
import GHLStore

/// `--db FILE`, shared by every command that works on a ghlsync file.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The ghlsync SQLite file.")
    var db: String

    /// Opens an existing file; a missing one is an error, not a new empty file.
    func open() throws -> Store {
        do { return try Store.openExisting(path: db) } catch let error as StoreError {
            throw CLIError(error.cliMessage)
        }
    }
}

/// Runs `body`, turning store and auth errors into clean messages with a non-zero exit.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as StoreError {
        throw CLIError(error.cliMessage)
    } catch let error as AuthError {
        throw CLIError(error.description)
    }
}

/// The same, for async work.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as StoreError {
        throw CLIError(error.cliMessage)
    } catch let error as AuthError {
        throw CLIError(error.description)
    }
}
