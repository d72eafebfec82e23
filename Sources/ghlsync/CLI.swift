import ArgumentParser

/// `ghlsync`: GoHighLevel data in one SQLite file, a live dashboard, per-user access.
@main
struct CLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ghlsync",
        abstract: "Sync GoHighLevel locations into one SQLite file and serve a live dashboard.",
        discussion: "Start with `ghlsync demo`: a built-in GHL sandbox, a synced database, and the dashboard.",
        version: Version.text,
        subcommands: [
            DemoCommand.self, ServeCommand.self, InitCommand.self, SourcesCommand.self, ConnectCommand.self, UsersCommand.self,
            SyncCommand.self, SandboxCommand.self, QueryCommand.self, ExportCommand.self, SnapshotCommand.self, StatusCommand.self,
            BenchCommand.self, MigrateToPostgresCommand.self,
        ]
    )
}
