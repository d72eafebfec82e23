import ArgumentParser
import GHLStore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a ghlsync database, or migrate an older one in place.")

    @Option(name: .long, help: "The SQLite file to create or migrate.")
    var db: String

    func run() throws {
        let store = try reportingErrors { try Store(path: db) }
        let migrations = try store.appliedMigrations()
        print("\(db): schema \(migrations.last ?? "none") (\(migrations.joined(separator: ", "))), WAL, ready")
    }
}
