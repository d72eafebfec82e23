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
            if case .file(let store) = database { try await changeLog(store) }
        }
    }

    /// The change log's figures (the SQLite file's; PostgreSQL has none of its own yet).
    private func changeLog(_ store: Store) async throws {
        let log = try await store.changeLogStatus()
        print("== Change log (what `serve` broadcasts and resumes from)")
        print("rows: \(log.rows) of at most \(log.bounds.maxRows); about \(log.bytes >> 20) MiB of at most \(log.bounds.maxBytes >> 20) MiB;"
              + " kept \(log.bounds.maxAgeSeconds / 3600) h (set with `serve --change-log-rows` / `--change-log-mib` / `--change-log-hours`)")
        print("oldest: \(log.oldest ?? "-"), newest: \(log.newest ?? "-")")
    }
}
