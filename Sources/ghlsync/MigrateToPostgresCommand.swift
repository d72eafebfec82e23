import ArgumentParser
import GHLPostgres
import GHLStore

/// `ghlsync migrate-to-postgres`: an agency that outgrows its file moves up to
/// PostgreSQL without syncing everything from GHL again.
struct MigrateToPostgresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to-postgres", abstract: "Copy a ghlsync file's data into a new, empty PostgreSQL database.",
        discussion: """
            Creates the schema if needed, then copies sources, users (with their password hashes), grants, sync jobs, \
            records and sync cursors in one transaction, so a failed copy leaves the database empty. A database that \
            already holds any of them is refused. Not copied: sign-in sessions (users sign in again), sync leases, \
            seen sets and webhook receipts (a running sync's or a day's working state), and the change log (realtime \
            history of the file; PostgreSQL's broadcast trigger starts its own). Run it with no sync writing to the file.
            """)

    @Option(help: "The ghlsync SQLite file to copy.") var from: String
    @Option(help: "postgres://user[:password]@host:port/db[?sslmode=require] to copy into.") var to: String

    func validate() throws {
        guard case .postgres = try DatabaseTarget(to) else { throw ValidationError("--to must be a postgres:// URL") }
    }

    func run() async throws {
        guard case .postgres(let url) = try DatabaseTarget(to) else { return }
        let file = try await reportingErrors { try Store.openExisting(path: from) }
        let copied = try await PostgresCommand.run(url) { store in
            try await store.migrate()
            return try await store.copy(from: file)
        }
        for (table, rows) in copied { print("\(table.rawValue): \(rows) rows") }
        print("Copied \(from) into \(url): \(copied.reduce(0) { $0 + $1.rows }) rows in \(copied.count) tables")
    }
}
