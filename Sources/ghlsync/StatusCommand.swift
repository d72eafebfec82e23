import ArgumentParser
import GHLStore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the seed's monitoring figures: sync performance, freshness, active sources.")

    @OptionGroup var database: DatabaseOption

    func run() throws {
        let store = try database.open()
        for (title, query) in [("Sync performance (last 7 days)", Monitoring.syncPerformance),
                               ("Data freshness", Monitoring.freshness),
                               ("Most active sources (last 30 days)", Monitoring.activeSources)] {
            print("== \(title)")
            let writer = ResultWriter(format: .table)
            try store.query(query, columns: writer.begin, row: writer.add)
            writer.end()
            print("")
        }
    }
}
