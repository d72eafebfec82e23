import ArgumentParser
import GHLStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a reporting view as CSV or JSON to standard output (from a file or PostgreSQL).")

    @OptionGroup var database: SyncDatabaseOption
    @Option(help: "One of: \(ReportingViews.names.joined(separator: ", ")).") var view: String
    @Option(help: "csv or json.") var format: ResultFormat = .csv

    func validate() throws {
        guard format != .table else { throw ValidationError("--format must be csv or json") }
    }

    func run() async throws {
        let writer = ResultWriter(format: format)
        try await database.with { database in
            try await reportingErrors {
                switch database {
                case .file(let store): try await store.query(try ReadOnlyQuery.view(view), columns: writer.begin, row: writer.add)
                case .postgres(let store): try await store.export(view: view, columns: writer.begin, row: writer.add)
                }
            }
        }
        writer.end()
    }
}
