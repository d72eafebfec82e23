import ArgumentParser
import GHLStore

/// `--db FILE`, shared by every command that works on a ghlsync file.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The ghlsync SQLite file.")
    var db: String

    /// Opens an existing file; a missing one is an error, not a new empty file.
    func open() throws -> Store {
        do { return try Store.openExisting(path: db) } catch let error as StoreError {
            throw ValidationError(error.description)
        }
    }
}

/// Runs `body`, turning store errors into clean messages with a non-zero exit.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as StoreError {
        throw ValidationError(error.description)
    }
}
