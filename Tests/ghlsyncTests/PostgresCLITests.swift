import Foundation
import GHLPostgresTestSupport
import GHLSandbox
import Testing

/// `init --db postgres://...` creates the schema (and re-runs as a no-op), also
/// from `GHLSYNC_DATABASE_URL`; `sources add`/`list`, `sync` (one source or
/// `--all`) and `status` run on it; every other command refuses a PostgreSQL URL in one line.
@Suite struct PostgresCLITests {
    @Test func initCreatesThePostgresSchemaAndReRunsAsANoOp() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase("cli")
        let first = try CLIRunner.run(["init", "--db", url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lastLine.contains(
            "schema pg_rt_live_set (pg_v1_tables, pg_v1_security, pg_v1_views, pg_v2_broadcast_changes, pg_v2_rls_source_arrays, pg_v3_auth, pg_v4_scoped_ids, pg_rt_live_set)"),
                "\(first.stdout)")
        let database = String(url.split(separator: "/").last!)
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM pg_views WHERE viewname LIKE 'v\\_ghl\\_%'") == "7\n")
        let again = try CLIRunner.run(["init"], environment: ["GHLSYNC_DATABASE_URL": url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM ghlsync_migrations") == "8\n")
    }

    @Test func initSaysWhyItCannotReachTheServer() throws {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
        let result = try CLIRunner.run(["init", "--db", "postgres://nobody:secret@127.0.0.1:9/nothing"], timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: cannot connect to postgres://nobody@127.0.0.1:9/nothing: "), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"))
    }

    @Test func initSourcesAddSyncAndStatusRunOnPostgres() async throws {
        var configuration = SandboxConfiguration()
        configuration.locations = 2
        configuration.counts = RecordCounts(contacts: 120, opportunities: 30, orders: 20, transactions: 20, reviews: 10)
        configuration.rateLimit = RateLimitSettings(maxRequests: 1_000_000, windowMilliseconds: 10_000, dailyLimit: 100_000_000)
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        defer { Task { await sandbox.stop() } }
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase("clisync")
        let database = String(url.split(separator: "/").last!)
        #expect(try CLIRunner.run(["sources", "list", "--db", url]).stderr.contains("has no ghlsync schema: run `ghlsync init"))
        #expect(try CLIRunner.run(["init", "--db", url]).status == 0)
        var environment: [String: String] = [:]
        var ids: [String] = []
        for (index, location) in endpoint.locations.enumerated() {
            environment["GHL_TOKEN_\(index)"] = location.token
            let added = try CLIRunner.run(["sources", "add", "--db", url, "--name", "Location \(index)", "--location-id", location.locationID,
                                          "--api-base", endpoint.baseURL, "--token-env", "GHL_TOKEN_\(index)"])
            #expect(added.status == 0, "\(added.stderr)")
            ids.append(added.lastLine)
        }
        let listed = try CLIRunner.run(["sources", "list", "--db", url])
        #expect(listed.status == 0 && ids.allSatisfy(listed.stdout.contains), "\(listed.stdout)\(listed.stderr)")

        let one = try CLIRunner.run(["sync", "--db", url, "--source", ids[0], "--mode", "full"], environment: environment)
        #expect(one.status == 0, "\(one.stdout)\(one.stderr)")
        #expect(one.lastLine == "Sync completed: 6 succeeded, 0 failed", "\(one.stdout)")
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM ghl_contacts WHERE source_id = '\(ids[0])'") == "120\n")

        let all = try CLIRunner.run(["sync", "--all"], environment: environment.merging(["GHLSYNC_DATABASE_URL": url]) { $1 })
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        #expect(all.lastLine == "Sync completed: 2 sources succeeded, 0 failed", "\(all.stdout)")
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM ghl_contacts WHERE deleted_at IS NULL") == "240\n")
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM ghl_sync_jobs WHERE status = 'completed'") == "18\n")

        let status = try CLIRunner.run(["status", "--db", url])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("== Data freshness") && status.stdout.contains("Location 1"), "\(status.stdout)")
    }

    @Test func otherCommandsRefuseAPostgresURLInOneClearLine() throws {
        let url = "postgres://nobody@127.0.0.1:9/nothing"
        for arguments in [["snapshot", "--db", url, "--out", "x.sqlite"], ["sources", "schedule", "--db", url, "--source", "x", "--every", "1h"]] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == "Error: this command does not run on PostgreSQL yet: only init, sync, sources add, sources list, status, users, serve, query and migrate-to-postgres do\n",
                    "\(arguments): \(result.stderr)")
        }
        let fromEnvironment = try CLIRunner.run(["export", "--view", "v_ghl_contacts_recent"], environment: ["GHLSYNC_DATABASE_URL": url])
        #expect(fromEnvironment.status == 1)
        #expect(fromEnvironment.stderr.contains("does not run on PostgreSQL yet"), "\(fromEnvironment.stderr)")
    }
}
