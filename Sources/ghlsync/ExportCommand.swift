import ArgumentParser
import GHLStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a reporting view as CSV or JSON to standard output.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "One of: \(ReportingViews.names.joined(separator: ", ")).") var view: String
    @Option(help: "csv or json.") var format: ResultFormat = .csv

    func validate() throws {
        guard format != .table else { throw ValidationError("--format must be csv or json") }
    }

    func run() async throws {
        let store = try database.open()
        let writer = ResultWriter(format: format)
        try await reportingErrors {
            try await store.query(try ReadOnlyQuery.view(view), columns: writer.begin, row: writer.add)
        }
        writer.end()
    }
}
