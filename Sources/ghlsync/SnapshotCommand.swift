import ArgumentParser
import GHLStore

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Write a consistent copy of a ghlsync file, safe while the server runs.",
        discussion: """
            The copy is one self-contained SQLite file (no -wal beside it) for an analyst's sqlite3. \
            With --without-users it has no users, sessions or grants, and so no password hashes.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Where to write the copy (must not exist).") var out: String
    @Flag(help: "Leave out users, sessions and grants.") var withoutUsers = false

    func run() async throws {
        let store = try database.open()
        try await reportingErrors { try await store.snapshot(to: out, withoutUsers: withoutUsers) }
        say("snapshot \(out)\(withoutUsers ? " (without users)" : "")")
    }
}
