import ArgumentParser
import GHLAuth
import GHLStore

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run a read-only SQL query against a ghlsync file.",
        discussion: """
            Only statements that cannot write are accepted. Tables and the seven v_ghl_* views are available.
            With --as, the query runs with that user's access: every table and view shows only the rows of \
            the user's sources, and tables outside the scope (users, sessions, ...) are refused.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Output format.") var format: ResultFormat = .table
    @Option(name: .customLong("as"), help: "Run as this user (email), seeing only their sources.") var asUser: String?
    @Option(help: "With --as: stop the query after this many seconds.") var timeLimit: Double = 30
    @Argument(help: "The SQL to run, e.g. \"SELECT * FROM v_ghl_dashboard_summary\".") var sql: String

    func run() async throws {
        let store = try database.open()
        let writer = ResultWriter(format: format)
        try await reportingErrors {
            if let asUser {
                guard timeLimit > 0 else { throw ValidationError("--time-limit must be more than 0 seconds") }
                let scope = try await store.accessScope(of: try Accounts(store: store).user(email: asUser).id)
                try ScopedReader(store: store, timeLimit: .seconds(timeLimit)).query(sql, scope: scope, columns: writer.begin, row: writer.add)
            } else {
                try await store.query(ReadOnlyQuery(sql: sql), columns: writer.begin, row: writer.add)
            }
        }
        writer.end()
    }
}
