import ArgumentParser
import GHLStore

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run a read-only SQL query against a ghlsync file.",
        discussion: "Only statements that cannot write are accepted. Tables and the seven v_ghl_* views are available.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "Output format.") var format: ResultFormat = .table
    @Argument(help: "The SQL to run, e.g. \"SELECT * FROM v_ghl_dashboard_summary\".") var sql: String

    func run() throws {
        let store = try database.open()
        let writer = ResultWriter(format: format)
        try reportingErrors {
            try store.query(ReadOnlyQuery(sql: sql), columns: writer.begin, row: writer.add)
        }
        writer.end()
    }
}
