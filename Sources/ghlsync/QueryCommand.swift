import ArgumentParser
import GHLAuth
import GHLPostgres
import GHLStore

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run a read-only SQL query against a ghlsync file or PostgreSQL database.",
        discussion: """
            Only statements that cannot write are accepted. Tables and the seven v_ghl_* views are available.
            With --as, the query runs with that user's access: every table and view shows only the rows of \
            the user's sources, and tables outside the scope (users, sessions, ...) are refused. On PostgreSQL \
            (--db postgres://...) the database's own row-level security does this: the query runs in a \
            read-only transaction as the role ghlsync_user with the user's claims, as PostgREST runs a request.
            """)

    @Option(name: .customLong("db"),
            help: "The ghlsync SQLite file, or postgres://user@host:port/db (default: $\(DatabaseTarget.environmentVariable)).")
    var given: String?
    @Option(help: "Output format.") var format: ResultFormat = .table
    @Option(name: .customLong("as"), help: "Run as this user (email), seeing only their sources.") var asUser: String?
    @Option(help: "With --as: stop the query after this many seconds.") var timeLimit: Double = 30
    @Argument(help: "The SQL to run, e.g. \"SELECT * FROM v_ghl_dashboard_summary\".") var sql: String

    func validate() throws {
        _ = try DatabaseTarget(given)
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be more than 0 seconds") }
    }

    func run() async throws {
        let writer = ResultWriter(format: format)
        switch try DatabaseTarget(given) {
        case .file(let db):
            let store = try await reportingErrors { try Store.openExisting(path: db) }
            try await reportingErrors {
                if let asUser {
                    let scope = try await store.accessScope(of: try Accounts(store: store).user(email: asUser).id)
                    try ScopedReader(store: store, timeLimit: .seconds(timeLimit)).query(sql, scope: scope, columns: writer.begin, row: writer.add)
                } else {
                    try await store.query(ReadOnlyQuery(sql: sql), columns: writer.begin, row: writer.add)
                }
            }
        case .postgres(let url):
            let result = try await PostgresCommand.run(url) { store in
                var userId: String?
                if let asUser {
                    guard let id = try await store.userID(email: asUser) else { throw CLIError("no user with email \(asUser)") }
                    userId = id
                }
                return try await store.query(sql, asUser: userId, timeLimit: .milliseconds(Int64(timeLimit * 1000)))
            }
            writer.begin(result.columns)
            result.rows.forEach(writer.add)
        }
        writer.end()
    }
}
