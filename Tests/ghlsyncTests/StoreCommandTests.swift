import Foundation
import Testing

/// `init`, `sources`, `query`, `export`, `status` driven through the real binary,
/// and the file checked with the system `sqlite3` CLI, as an analyst would.
@Suite struct StoreCommandTests {
    @Test func initCreatesAFileTheSqlite3CLIUnderstands() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("x.sqlite")
        let result = try CLIRunner.run(["init", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let tables = try CLIRunner.sqlite3(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('ghl_sources','user_sources','ghl_contacts','ghl_opportunities','ghl_pipelines','ghl_orders','ghl_payments','ghl_reviews','ghl_sync_jobs')")
        #expect(tables.split(separator: "\n").count == 9)
        let views = try CLIRunner.sqlite3(db, "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
        #expect(views.split(separator: "\n") == ["v_ghl_contacts_recent", "v_ghl_dashboard_summary", "v_ghl_opportunities_report",
                                                  "v_ghl_pipeline_stage_summary", "v_ghl_revenue_summary", "v_ghl_reviews_summary", "v_ghl_sync_status"])
        #expect(try CLIRunner.sqlite3(db, "PRAGMA journal_mode") == "wal")
        #expect(try CLIRunner.sqlite3(db, "PRAGMA integrity_check") == "ok")
        for view in views.split(separator: "\n") {
            #expect(try CLIRunner.sqlite3(db, "SELECT COUNT(*) FROM \(view)") == "0")
        }
        // Running init again on the same file is a no-op migration.
        #expect(try CLIRunner.run(["init", "--db", db]).status == 0)
    }

    @Test func addedSourceKeepsItsTokenOutOfTheFile() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("x.sqlite")
        _ = try CLIRunner.run(["init", "--db", db])
        let secret = "pit-" + UUID().uuidString.lowercased()
        let tokenFile = dir.path("token")
        try Data((secret + "-file").utf8).write(to: URL(fileURLWithPath: tokenFile))
        let byEnv = try CLIRunner.run(["sources", "add", "--db", db, "--name", "Main St", "--location-id", "loc1", "--token-env", "GHL_TOKEN"],
                                      environment: ["GHL_TOKEN": secret])
        #expect(byEnv.status == 0, "\(byEnv.stderr)")
        let id = byEnv.lastLine
        #expect(UUID(uuidString: id) != nil, "last line is the new source id: \(id)")
        let byFile = try CLIRunner.run(["sources", "add", "--db", db, "--name", "Second", "--location-id", "loc2", "--token-file", tokenFile,
                                        "--api-base", "http://127.0.0.1:9"])
        #expect(byFile.status == 0, "\(byFile.stderr)")

        let listed = try CLIRunner.run(["sources", "list", "--db", db])
        #expect(listed.stdout.contains(id) && listed.stdout.contains("env:GHL_TOKEN") && listed.stdout.contains("file:\(tokenFile)"))
        #expect(try CLIRunner.sqlite3(db, "SELECT api_base FROM ghl_sources WHERE id = '\(id)'") == "https://services.leadconnectorhq.com")
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "token found in \(file)")
        }
    }

    @Test func badInputGivesAClearErrorAndNonZeroExit() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("x.sqlite")
        _ = try CLIRunner.run(["init", "--db", db])
        let cases: [([String], String)] = [
            (["query", "--db", db, "DELETE FROM ghl_sources"], "read-only"),
            (["query", "--db", db, "SELEC 1"], "invalid SQL"),
            (["export", "--db", db, "--view", "v_nope", "--format", "csv"], "unknown view v_nope"),
            (["status", "--db", dir.path("missing.sqlite")], "no ghlsync database"),
            (["sources", "add", "--db", db, "--name", "x", "--location-id", "l"], "exactly one of --token-env"),
            (["sources", "add", "--db", db, "--name", "x", "--location-id", "l", "--token-env", "T", "--api-base", "ftp://x"], "http(s) URL"),
        ]
        for (arguments, message) in cases {
            let result = try CLIRunner.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("missing.sqlite")))
    }

    @Test func exportAndQueryPrintParsableRows() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("x.sqlite")
        _ = try CLIRunner.run(["init", "--db", db])
        _ = try CLIRunner.run(["sources", "add", "--db", db, "--name", "Comma, Inc \"A\"", "--location-id", "l1", "--token-env", "T"])
        let json = try CLIRunner.run(["export", "--db", db, "--view", "v_ghl_dashboard_summary", "--format", "json"])
        #expect(json.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["source_name"] as? String == "Comma, Inc \"A\"")
        #expect(rows?.first?["contacts_count"] as? Int == 0)
        let csv = try CLIRunner.run(["export", "--db", db, "--view", "v_ghl_dashboard_summary"])
        #expect(csv.stdout.split(separator: "\r\n").first?.hasPrefix("source_id,source_name,location_id") == true)
        #expect(csv.stdout.contains("\"Comma, Inc \"\"A\"\"\""))
        let status = try CLIRunner.run(["status", "--db", db])
        #expect(status.status == 0)
        #expect(status.stdout.contains("Most active sources") && status.stdout.contains("Comma, Inc"))
    }
}
