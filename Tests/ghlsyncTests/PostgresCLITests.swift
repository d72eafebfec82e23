import Foundation
import GHLPostgresTestSupport
import Testing

/// `init --db postgres://...` creates the schema (and re-runs as a no-op), also
/// from `GHLSYNC_DATABASE_URL`; the commands that do not run on PostgreSQL yet refuse its URL in one line.
@Suite struct PostgresCLITests {
    @Test func initCreatesThePostgresSchemaAndReRunsAsANoOp() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase("cli")
        let first = try CLIRunner.run(["init", "--db", url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lastLine.contains(
            "schema pg_v2_broadcast_rls_arrays (pg_v1_tables, pg_v1_security, pg_v1_views, pg_v2_broadcast_changes, pg_v2_broadcast_rls_arrays)"),
                "\(first.stdout)")
        let database = String(url.split(separator: "/").last!)
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM pg_views WHERE viewname LIKE 'v\\_ghl\\_%'") == "7\n")
        let again = try CLIRunner.run(["init"], environment: ["GHLSYNC_DATABASE_URL": url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM ghlsync_migrations") == "5\n")
    }

    @Test func initSaysWhyItCannotReachTheServer() throws {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
        let result = try CLIRunner.run(["init", "--db", "postgres://nobody:secret@127.0.0.1:9/nothing"], timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: cannot connect to postgres://nobody@127.0.0.1:9/nothing: "), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"))
    }

    @Test func otherCommandsRefuseAPostgresURLInOneClearLine() throws {
        let url = "postgres://nobody@127.0.0.1:9/nothing"
        for arguments in [["status", "--db", url], ["sources", "list", "--db", url]] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == "Error: this command does not run on PostgreSQL yet: only `ghlsync init --db postgres://...` does\n",
                    "\(arguments): \(result.stderr)")
        }
        let fromEnvironment = try CLIRunner.run(["status"], environment: ["GHLSYNC_DATABASE_URL": url])
        #expect(fromEnvironment.status == 1)
        #expect(fromEnvironment.stderr.contains("does not run on PostgreSQL yet"), "\(fromEnvironment.stderr)")
    }
}
