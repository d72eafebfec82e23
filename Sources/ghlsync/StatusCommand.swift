import ArgumentParser
import GHLStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the seed's monitoring figures: sync performance, freshness, active sources; and the change log.")

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let store = try database.open()
        for (title, query) in [("Sync performance (last 7 days)", Monitoring.syncPerformance),
                               ("Data freshness", Monitoring.freshness),
                               ("Most active sources (last 30 days)", Monitoring.activeSources)] {
            print("== \(title)")
            let writer = ResultWriter(format: .table)
            try await store.query(query, columns: writer.begin, row: writer.add)
            writer.end()
            print("")
        }
        let log = try await store.changeLogStatus()
        print("== Change log (what `serve` broadcasts and resumes from)")
        print("rows: \(log.rows) of at most \(log.bounds.maxRows); about \(log.bytes >> 20) MiB of at most \(log.bounds.maxBytes >> 20) MiB;"
              + " kept \(log.bounds.maxAgeSeconds / 3600) h (set with `serve --change-log-rows` / `--change-log-mib` / `--change-log-hours`)")
        print("oldest: \(log.oldest ?? "-"), newest: \(log.newest ?? "-")")
    }
}
