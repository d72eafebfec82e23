import ArgumentParser
import GHLPostgres
import GHLStore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a ghlsync database, or migrate an older one in place (a SQLite file or postgres:// URL).")

    @Option(name: .customLong("db"),
            help: "The SQLite file, or postgres://user[:password]@host:port/db[?sslmode=require], to create or migrate (default: $\(DatabaseTarget.environmentVariable)).")
    var given: String?

    func validate() throws {
        _ = try DatabaseTarget(given)
    }

    func run() async throws {
        switch try DatabaseTarget(given) {
        case .file(let db):
            let store = try await reportingErrors { try Store(path: db) }
            let migrations = try await store.appliedMigrations()
            print("\(db): schema \(migrations.last ?? "none") (\(migrations.joined(separator: ", "))), WAL, ready")
        case .postgres(let url):
            let migrations = try await PostgresCommand.run(url) { store in
                try await store.migrate()
                return try await store.appliedMigrations()
            }
            print("\(url): schema \(migrations.last ?? "none") (\(migrations.joined(separator: ", "))), row-level security on, ready")
        }
    }
}
