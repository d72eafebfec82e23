import ArgumentParser
import GHLPostgres
import GHLStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the seed's monitoring figures: sync performance, freshness, active sources; and the change log.")

    @OptionGroup var database: SyncDatabaseOption

    /// Each section's title and its query for either engine.
    private static let sections = [
        ("Sync performance (last 7 days)", Monitoring.syncPerformance, PostgresMonitoring.syncPerformance),
        ("Data freshness", Monitoring.freshness, PostgresMonitoring.freshness),
        ("Most active sources (last 30 days)", Monitoring.activeSources, PostgresMonitoring.activeSources),
    ]

    func run() async throws {
        try await database.with { database in
            for (title, query, postgresQuery) in Self.sections {
                print("== \(title)")
                let writer = ResultWriter(format: .table)
                switch database {
                case .file(let store): try await store.query(query, columns: writer.begin, row: writer.add)
                case .postgres(let store):
                    let report = try await store.report(postgresQuery)
                    writer.begin(report.columns)
                    report.rows.forEach(writer.add)
                }
                writer.end()
                print("")
            }
            switch database {
            case .file(let store): try await changeLog(store)
            case .postgres(let store): try await changeLog(store)
            }
        }
    }

    private static let changeLogTitle = "== Change log (what `serve` broadcasts and resumes from)"

    /// The change log's figures and the bounds stored in the file.
    private func changeLog(_ store: Store) async throws {
        let log = try await store.changeLogStatus()
        print(Self.changeLogTitle)
        print("rows: \(log.rows) of at most \(log.bounds.maxRows); about \(log.bytes >> 20) MiB of at most \(log.bounds.maxBytes >> 20) MiB;"
              + " kept \(log.bounds.maxAgeSeconds / 3600) h (set with `serve --change-log-rows` / `--change-log-mib` / `--change-log-hours`)")
        print("oldest: \(log.oldest ?? "-"), newest: \(log.newest ?? "-")")
    }

    /// `ghlsync_changes`' figures; its bounds are each server's options, not stored in the database.
    private func changeLog(_ store: PostgresStore) async throws {
        let log = try await store.changeLogStatus()
        let defaults = ChangeLogBounds()
        print(Self.changeLogTitle)
        print("rows: \(log.rows); \(log.bytes >> 20) MiB on disk; each `serve` keeps at most its --change-log-rows"
              + " (\(defaults.maxRows) by default) and --change-log-hours (\(defaults.maxAgeSeconds / 3600) by default)")
        print("oldest: \(log.oldest ?? "-"), newest: \(log.newest ?? "-")")
    }
}
