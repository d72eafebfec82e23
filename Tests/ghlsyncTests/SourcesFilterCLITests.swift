import Foundation
import GHLSandbox
import GHLStore
import GRDB
import Testing

/// `ghlsync sources filter` and `sources list`, run as the binary against an in-process sandbox.
@Suite struct SourcesFilterCLITests {
    @Test func setListSyncAndClearAFilter() async throws {
        var configuration = SandboxConfiguration()
        configuration.counts = RecordCounts(contacts: 400, opportunities: 90, orders: 30, transactions: 30, reviews: 30)
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        defer { Task { await sandbox.stop() } }
        let directory = try TemporaryDirectory()
        let db = directory.path("filter.sqlite")
        let location = endpoint.locations[0]
        let environment = ["GHL_FILTER_TOKEN": location.token]
        func ghlsync(_ arguments: [String]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments, environment: environment, timeout: 120)
        }

        #expect(try ghlsync(["init", "--db", db]).status == 0)
        let added = try ghlsync(["sources", "add", "--db", db, "--name", "Filtered", "--location-id", location.locationID,
                                 "--api-base", endpoint.baseURL, "--token-env", "GHL_FILTER_TOKEN"])
        let source = added.lastLine
        #expect(try ghlsync(["sync", "--db", db, "--source", source, "--mode", "full"]).status == 0)
        let pipeline = try sandbox.records(.pipelines, location: location.locationID)[0]
        let pipelineName = pipeline["name"]!.stringValue!

        let set = try ghlsync(["sources", "filter", "--db", db, "--source", source, "--pipeline", pipelineName,
                               "--status", "open", "--from", "2023-01-01", "--contact-tag", "customer",
                               "--contact-field", "tier=gold"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("pipelines: \(pipelineName) (\(pipeline["id"]!.stringValue!))"), "\(set.stdout)")
        #expect(set.stdout.contains("contacts: tag customer AND Tier = gold"), "\(set.stdout)")
        #expect(set.stdout.contains("marked out of scope:"), "\(set.stdout)")

        let listed = try ghlsync(["sources", "list", "--db", db])
        #expect(listed.stdout.contains("statuses: open; created or updated: 2023-01-01 to …; contacts: tag customer AND Tier = gold"),
                "\(listed.stdout)")

        // Bad input: a clear message, a non-zero exit, and the filter as it was.
        let before = try CLIRunner.sqlite3(db, "SELECT filters FROM ghl_sources")
        for (arguments, message) in [
            (["--pipeline", "Nope"], "unknown pipeline Nope"),
            (["--from", "2024-02-01", "--to", "2024-01-01"], "--from 2024-02-01 is after --to 2024-01-01"),
            (["--contact-field", "shoe_size=42"], "unknown custom field shoe_size"),
            ([String](), "give at least one filter option, or --clear"),
        ] {
            let refused = try ghlsync(["sources", "filter", "--db", db, "--source", source] + arguments)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
            #expect(try CLIRunner.sqlite3(db, "SELECT filters FROM ghl_sources") == before)
        }

        #expect(try ghlsync(["sync", "--db", db, "--source", source, "--mode", "incremental"]).status == 0)
        let outside = try CLIRunner.sqlite3(db, """
            SELECT COUNT(*) FROM ghl_contacts WHERE deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'customer')
            """)
        #expect(outside == "0")
        let inView = try CLIRunner.sqlite3(db, "SELECT COUNT(*) FROM v_ghl_opportunities_report WHERE status <> 'open'")
        #expect(inView == "0")

        let cleared = try ghlsync(["sources", "filter", "--db", db, "--source", source, "--clear"])
        #expect(cleared.stdout.contains("no filter, everything is synced"))
        #expect(try ghlsync(["sync", "--db", db, "--source", source]).status == 0)
        #expect(try CLIRunner.sqlite3(db, "SELECT COUNT(*) FROM ghl_contacts WHERE deleted_at IS NULL") == "400")
        #expect(try ghlsync(["sources", "list", "--db", db]).lastLine.hasSuffix("manual    -"))
    }
}
