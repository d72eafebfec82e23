import ArgumentParser
import GHLStore

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Write a consistent copy of a ghlsync file, safe while the server runs.",
        discussion: """
            The copy is one self-contained SQLite file (no -wal beside it) for an analyst's sqlite3. \
            With --without-users it has no users, sessions or grants, and so no password hashes. \
            A PostgreSQL database is copied with its own tools (pg_dump), not with snapshot.
            """)

    @OptionGroup var database: SyncDatabaseOption
    @Option(help: "Where to write the copy (must not exist).") var out: String
    @Flag(help: "Leave out users, sessions and grants.") var withoutUsers = false

    /// PostgreSQL's own `pg_dump` takes a consistent copy of a running database
    /// (its tables, views, policies and the signing key, so keep it secret).
    static let postgresRefusal = "snapshot copies a SQLite file; copy a PostgreSQL database with pg_dump (pg_dump --format=custom --file=ghl.dump URL), which is consistent while servers run"

    func validate() throws {
        if case .postgres = try DatabaseTarget(database.given) { throw CLIError(Self.postgresRefusal) }
    }

    func run() async throws {
        guard case .file(let path) = try DatabaseTarget(database.given) else { throw CLIError(Self.postgresRefusal) }
        let store = try DatabaseOption.openExisting(path)
        try await reportingErrors { try await store.snapshot(to: out, withoutUsers: withoutUsers) }
        say("snapshot \(out)\(withoutUsers ? " (without users)" : "")")
    }
}
