import Foundation
import GHLPostgresTestSupport
import GHLSandbox
import Testing

/// `init --db postgres://...` creates the schema (and re-runs as a no-op), also
/// from `GHLSYNC_DATABASE_URL`; `sources add`/`list`, `sync` (one source or
/// `--all`) and `status` (with the change log's figures) run on it; a least-privilege role opens it; `snapshot` and `connect` refuse a PostgreSQL URL in one line saying why.
@Suite struct PostgresCLITests {
    @Test func initCreatesThePostgresSchemaAndReRunsAsANoOp() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase("cli")
        let first = try CLIRunner.run(["init", "--db", url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lastLine.contains(
            "schema pg_v5_live_set (pg_v1_tables, pg_v1_security, pg_v1_views, pg_v2_broadcast_changes, pg_v2_rls_source_arrays, pg_v3_auth, pg_v4_scoped_ids, pg_v5_change_ids, pg_v5_live_set)"),
                "\(first.stdout)")
        let database = String(url.split(separator: "/").last!)
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM pg_views WHERE viewname LIKE 'v\\_ghl\\_%'") == "7\n")
        let again = try CLIRunner.run(["init"], environment: ["GHLSYNC_DATABASE_URL": url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM ghlsync_migrations") == "9\n")
    }

    @Test func initSaysWhyItCannotReachTheServer() throws {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
        let result = try CLIRunner.run(["init", "--db", "postgres://nobody:secret@127.0.0.1:9/nothing"], timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: cannot connect to postgres://nobody@127.0.0.1:9/nothing: "), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"))
    }

    @Test func initSourcesAddSyncAndStatusRunOnPostgres() async throws {
        let (sandbox, endpoint) = try await Self.sandbox(locations: 2, counts: RecordCounts(
            contacts: 120, opportunities: 30, orders: 20, transactions: 20, reviews: 10))
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
        let changes = try cluster.psql(database: database, script: "SELECT count(*) FROM ghlsync_changes").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status.stdout.contains("== Change log") && status.stdout.contains("\nrows: \(changes); "), "\(status.stdout)")
    }

    /// A role with only the rights `serve` needs (no CREATE, not the owner) opens a
    /// current schema; when a migration is missing it may not apply, one line says
    /// to run `init` as the owner.
    @Test func aLeastPrivilegeRoleOpensACurrentSchemaAndIsSentToInitWhenOneIsMissing() async throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase("leastprivilege")
        let database = String(url.split(separator: "/").last!)
        #expect(try CLIRunner.run(["init", "--db", url]).status == 0)
        let role = "ghl_app_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try cluster.psql(database: database, script: """
            CREATE ROLE \(role) LOGIN BYPASSRLS;
            GRANT ghlsync_user TO \(role);
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role);
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO \(role);
            """)
        var components = try #require(URLComponents(string: url))
        components.user = role
        let app = try #require(components.string)

        let status = try CLIRunner.run(["status", "--db", app])
        #expect(status.status == 0, "\(status.stderr)")
        let serve = try RunningCLI(["serve", "--db", app, "--port", "0"], environment: [:])
        let line = try? await serve.line { $0.hasPrefix("dashboard http://") }
        let stopped = serve.stop()
        #expect(line != nil, "\(stopped.stderr)")
        #expect(try cluster.psql(database: database, script: "SELECT count(*) FROM pg_tables WHERE tableowner = '\(role)'") == "0\n")

        _ = try cluster.psql(database: database, script: "DELETE FROM ghlsync_migrations WHERE name = 'pg_v4_scoped_ids'")
        let refused = try CLIRunner.run(["sources", "list", "--db", app])
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains(
            "this role may not apply the schema's missing migrations (pg_v4_scoped_ids): run `ghlsync init --db postgres://\(role)@")
                && refused.stderr.hasSuffix("` as the database's owner\n"), "\(refused.stderr)")
    }

    @Test func snapshotAndConnectRefuseAPostgresURLInOneClearLineSayingWhy() throws {
        let url = "postgres://nobody@127.0.0.1:9/nothing"
        let snapshot = try CLIRunner.run(["snapshot", "--out", "x.sqlite"], environment: ["GHLSYNC_DATABASE_URL": url])
        #expect(snapshot.status == 1)
        #expect(snapshot.stderr == "Error: snapshot copies a SQLite file; copy a PostgreSQL database with pg_dump "
                + "(pg_dump --format=custom --file=ghl.dump URL), which is consistent while servers run\n", "\(snapshot.stderr)")
        let connect = try CLIRunner.run(["connect", "--db", url, "--client-id-env", "A", "--client-secret-env", "B"])
        #expect(connect.status == 1)
        #expect(connect.stderr.hasPrefix("Error: this command needs a SQLite file: connect keeps the tokens it receives in 0600 files beside it")
                && connect.stderr.split(separator: "\n").count == 1, "\(connect.stderr)")
    }
}

extension PostgresCLITests {
    /// A started sandbox of `locations` (the first `installed` with the agency's app) whose rate limits no test reaches.
    static func sandbox(locations: Int, installed: Int? = nil, counts: RecordCounts) async throws -> (GHLSandbox, SandboxEndpoint) {
        var configuration = SandboxConfiguration()
        configuration.locations = locations
        if let installed { configuration.installedLocations = installed }
        configuration.counts = counts
        configuration.rateLimit = RateLimitSettings(maxRequests: 1_000_000, windowMilliseconds: 10_000, dailyLimit: 100_000_000)
        let sandbox = try GHLSandbox(configuration: configuration)
        return (sandbox, try await sandbox.start())
    }
}
