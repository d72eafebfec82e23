import ArgumentParser
import GHLStore
import GHLSync

extension SourcesCommand {
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sync a source on a schedule while `ghlsync serve` runs (the seed's pg_cron plan).",
            discussion: "Example: ghlsync sources schedule --db app.sqlite --source ID --every 15m --mode incremental")

        @OptionGroup var database: SyncDatabaseOption
        @Option(help: "The source id.") var source: String
        @Option(help: "Interval (e.g. 15m, 1h, 1d) or off.") var every: String
        @Option(help: "incremental or full (default: keep the source's mode).") var mode: String?

        func validate() throws {
            _ = try reportingSyncErrors { try SyncSchedule.parseInterval(every) }
            if let mode, SyncMode(rawValue: mode) == nil { throw ValidationError("--mode must be incremental or full") }
        }

        func run() async throws {
            let interval = try reportingSyncErrors { try SyncSchedule.parseInterval(every) }
            let updated = try await database.with { database in
                try await reportingErrors {
                    try await database.sourceAdminStore.setSchedule(sourceId: source, interval: interval, mode: mode.flatMap(SyncMode.init(rawValue:)))
                }
            }
            if let seconds = updated.syncIntervalSeconds {
                print("\(updated.name): \(updated.syncMode) sync every \(SyncSchedule.describe(seconds)) while `ghlsync serve` runs")
            } else {
                print("\(updated.name): no schedule (sync manually)")
            }
        }
    }
}

/// Runs `body`, turning a sync error (a bad interval) into a usage error.
func reportingSyncErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as SyncError { throw ValidationError(error.description) }
}
