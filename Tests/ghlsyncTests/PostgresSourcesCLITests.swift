import Foundation
import GHLPostgresTestSupport
import GHLSandbox
import Testing

/// `sources import`, `sources schedule` and `sources filter` run as the binary on
/// PostgreSQL, against an in-process sandbox agency (the file's runs are in
/// `AgencyCLITests` and `SourcesFilterCLITests`).
@Suite struct PostgresSourcesCLITests {
    @Test func sourcesImportScheduleAndFilterRunOnPostgres() async throws {
        let (sandbox, endpoint) = try await PostgresCLITests.sandbox(locations: 3, installed: 2, counts: RecordCounts(
            contacts: 60, opportunities: 40, orders: 10, transactions: 10, reviews: 5))
        defer { Task { await sandbox.stop() } }
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase("clisources")
        let database = String(url.split(separator: "/").last!)
        func psql(_ sql: String) throws -> String {
            try cluster.psql(database: database, script: sql).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try CLIRunner.run(["init", "--db", url]).status == 0)

        let directory = try TemporaryDirectory()
        let credentials = directory.path("agency.json")
        let secrets = """
            {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "refresh_token": "\(sandbox.companyRefreshToken)",
             "user_type": "Company", "company_id": "\(sandbox.companyID)"}
            """
        #expect(FileManager.default.createFile(atPath: credentials, contents: Data(secrets.utf8), attributes: [.posixPermissions: 0o600]))
        func runImport(_ extra: String...) throws -> String {
            let result = try CLIRunner.run(["sources", "import", "--db", url, "--agency-credentials", credentials,
                                            "--api-base", endpoint.baseURL] + extra)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            return result.lastLine
        }
        #expect(try runImport("--dry-run") == "dry run: 2 added, 0 reactivated, 0 deactivated, 0 unchanged")
        #expect(try psql("SELECT count(*) FROM ghl_sources") == "0")
        #expect(try runImport("--every", "15m") == "2 added, 0 reactivated, 0 deactivated, 0 unchanged")
        #expect(try psql("SELECT count(*) FROM ghl_sources WHERE sync_interval_seconds = 900 AND company_id = '\(sandbox.companyID)'") == "2")
        #expect(try runImport() == "0 added, 0 reactivated, 0 deactivated, 2 unchanged")
        let installed = sandbox.installedLocations
        try sandbox.uninstallApp(location: installed[1])
        #expect(try runImport() == "0 added, 0 reactivated, 1 deactivated, 1 unchanged")
        #expect(try psql("SELECT location_id FROM ghl_sources WHERE is_active") == installed[0])

        let source = try psql("SELECT id FROM ghl_sources WHERE is_active")
        let scheduled = try CLIRunner.run(["sources", "schedule", "--db", url, "--source", source, "--every", "1h", "--mode", "full"])
        #expect(scheduled.status == 0, "\(scheduled.stderr)")
        #expect(scheduled.lastLine.hasSuffix(": full sync every 1h while `ghlsync serve` runs"), "\(scheduled.stdout)")
        #expect(try psql("SELECT sync_interval_seconds || ' ' || sync_mode FROM ghl_sources WHERE id = '\(source)'") == "3600 full")
        #expect(try CLIRunner.run(["sources", "schedule", "--db", url, "--source", source, "--every", "off"]).lastLine
            .hasSuffix(": no schedule (sync manually)"))
        #expect(try psql("SELECT count(*) FROM ghl_sources WHERE id = '\(source)' AND sync_interval_seconds IS NULL AND sync_mode = 'full'") == "1")
        let unknown = try CLIRunner.run(["sources", "schedule", "--db", url, "--source", "nope", "--every", "1h"])
        #expect(unknown.status == 1 && unknown.stderr.contains("nope"), "\(unknown.stderr)")

        #expect(try CLIRunner.run(["sync", "--db", url, "--source", source, "--mode", "full"]).status == 0)
        let notOpen = "SELECT count(*) FROM ghl_opportunities WHERE source_id = '\(source)' AND deleted_at IS NULL AND status <> 'open'"
        #expect(try Int(psql(notOpen)) ?? 0 > 0, "the sandbox has opportunities that are not open")
        let filtered = try CLIRunner.run(["sources", "filter", "--db", url, "--source", source, "--status", "open"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(filtered.stdout.contains("filter set") && filtered.stdout.contains("marked out of scope:"), "\(filtered.stdout)")
        #expect(try psql(notOpen) == "0")
        let reversed = try CLIRunner.run(["sources", "filter", "--db", url, "--source", source, "--from", "2024-02-01", "--to", "2024-01-01"])
        #expect(reversed.status != 0 && reversed.stderr.contains("--from 2024-02-01 is after --to 2024-01-01"), "\(reversed.stderr)")
        #expect(try psql("SELECT filters IS NOT NULL FROM ghl_sources WHERE id = '\(source)'") == "t", "a refused filter changes nothing")
        let cleared = try CLIRunner.run(["sources", "filter", "--db", url, "--source", source, "--clear"])
        #expect(cleared.stdout.contains("no filter, everything is synced"), "\(cleared.stdout)\(cleared.stderr)")
        #expect(try psql("SELECT count(*) FROM ghl_sources WHERE id = '\(source)' AND filters IS NULL") == "1")
    }
}
