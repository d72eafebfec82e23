import Foundation
import GHLPostgresTestSupport
import GHLSandbox
import Testing

/// `migrate-to-postgres`: a file synced from the sandbox, copied into a fresh
/// database, gives the same tables and the same seven views (read through
/// `query` on both), its users keep their grants under RLS, and a database
/// that is not empty is refused.
@Suite struct MigrateToPostgresCLITests {
    @Test func aSyncedFileCopiedGivesEqualTablesAndViews() async throws {
        let fixture = try await ManySourcesCLITests.Fixture(
            locations: 2, counts: RecordCounts(contacts: 120, opportunities: 60, orders: 30, transactions: 40, reviews: 25))
        let db = fixture.db
        let synced = try CLIRunner.run(["sync", "--db", db, "--all", "--mode", "full"], environment: fixture.environment)
        #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
        let added = try CLIRunner.run(["users", "add", "--db", db, "--email", "viewer@example.com", "--password-env", "PW"],
                                      environment: ["PW": "a long secret password"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try CLIRunner.run(["users", "grant", "--db", db, "--user", "viewer@example.com", "--source", fixture.sourceIds[0],
                                   "--role", "viewer"]).status == 0)

        let url = try PostgresCluster.shared().createDatabase("migrate")
        let migrated = try CLIRunner.run(["migrate-to-postgres", "--from", db, "--to", url])
        #expect(migrated.status == 0, "\(migrated.stdout)\(migrated.stderr)")
        #expect(migrated.lastLine.hasPrefix("Copied \(db) into "), "\(migrated.stdout)")
        #expect(migrated.stdout.contains("ghl_contacts: 240 rows"), "\(migrated.stdout)")

        let tables = ["ghl_sources", "users", "user_sources", "ghl_sync_jobs", "ghl_contacts", "ghl_opportunities", "ghl_pipelines",
                      "ghl_orders", "ghl_payments", "ghl_reviews", "sync_cursors"]
        let views = ["v_ghl_contacts_recent", "v_ghl_opportunities_report", "v_ghl_pipeline_stage_summary", "v_ghl_revenue_summary",
                     "v_ghl_reviews_summary", "v_ghl_sync_status", "v_ghl_dashboard_summary"]
        for relation in tables + views {
            let (file, postgres) = try (rows(db, "SELECT * FROM \(relation)"), rows(url, "SELECT * FROM \(relation)"))
            #expect(file.count > 0, "\(relation) is empty")
            // The columns both engines have (a table may hold file-only bookkeeping), as-of-now figures aside,
            // and the sync status's `job_id`: the job's number in its source on PostgreSQL (`pg_v4_scoped_ids`),
            // the file's own id in the file's view (its scoped reads show the number).
            let shared = Set(file.first.map { Array($0.keys) } ?? []).intersection(postgres.first.map { Array($0.keys) } ?? [])
                .subtracting(relation == "v_ghl_sync_status" ? ["staleness_seconds", "job_id"] : ["staleness_seconds"])
            #expect(shared.count > 1, "\(relation)")
            #expect(normalized(file, shared) == normalized(postgres, shared), "\(relation) differs")
        }

        // `export` on PostgreSQL writes the file's formats: the same CSV header and rows, the same JSON rows.
        for view in views {
            let (fileCSV, postgresCSV) = try (export(db, view, "csv"), export(url, view, "csv"))
            #expect(fileCSV.first == postgresCSV.first && fileCSV.count == postgresCSV.count && fileCSV.count > 1, "\(view)")
            let (file, postgres) = try (exportedRows(db, view), exportedRows(url, view))
            let shared = Set(file.first.map { Array($0.keys) } ?? []).subtracting(["staleness_seconds", "job_id"])
            #expect(Set(postgres.first.map { Array($0.keys) } ?? []) == Set(file.first.map { Array($0.keys) } ?? []), "\(view)")
            #expect(normalized(file, shared) == normalized(postgres, shared), "\(view) exports differ")
        }

        // The comparison sees a changed value; new rows take ids past the copied ones.
        let database = String(url.split(separator: "/").last!)
        _ = try PostgresCluster.shared().psql(database: database, script: """
            UPDATE ghl_contacts SET email = 'changed@example.com' WHERE id = (SELECT min(id) FROM ghl_contacts);
            INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw) VALUES ('\(fixture.sourceIds[1])', 'after-the-copy', '{}');
            """)
        let (fileContacts, changedContacts) = try (rows(db, "SELECT * FROM ghl_contacts"), rows(url, "SELECT * FROM ghl_contacts"))
        let columns = Set(fileContacts[0].keys).intersection(changedContacts[0].keys)
        let copiedContacts = changedContacts.filter { $0["ghl_contact_id"] as? String != "after-the-copy" }
        #expect(copiedContacts.count == fileContacts.count && changedContacts.count == fileContacts.count + 1)
        #expect(normalized(fileContacts, columns) != normalized(copiedContacts, columns))

        // The viewer reads only the granted source, the database's RLS deciding.
        let seen = try rows(url, "SELECT DISTINCT source_id FROM ghl_contacts", as: "viewer@example.com")
        #expect(seen.map { $0["source_id"] as? String } == [fixture.sourceIds[0]])

        let again = try CLIRunner.run(["migrate-to-postgres", "--from", db, "--to", url])
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("Error: ") && again.stderr.contains("is not empty")
                && again.stderr.split(separator: "\n").count == 1, "\(again.stderr)")
        await fixture.sandbox.stop()
    }

    /// `export --format csv|json` of `view` from `db` (a file or a URL), as lines.
    private func export(_ db: String, _ view: String, _ format: String) throws -> [Substring] {
        let result = try CLIRunner.run(["export", "--db", db, "--view", view, "--format", format])
        guard result.status == 0 else { throw CLIRunner.CLIError(message: "export \(view) from \(db): \(result.stderr)") }
        return result.stdout.split(whereSeparator: \.isNewline)
    }

    private func exportedRows(_ db: String, _ view: String) throws -> [[String: Any]] {
        let json = try export(db, view, "json").joined(separator: "\n")
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    }

    /// `query --format json` on `db` (a file or a URL).
    private func rows(_ db: String, _ sql: String, as user: String? = nil) throws -> [[String: Any]] {
        let result = try CLIRunner.run(["query", "--db", db, "--format", "json"] + (user.map { ["--as", $0] } ?? []) + [sql])
        guard result.status == 0 else { throw CLIRunner.CLIError(message: "\(sql) on \(db): \(result.stderr)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    /// The rows as sorted lines of their `columns`, each value in one form for
    /// both engines: numbers to 3 decimals (booleans as 0/1), instants as
    /// epoch milliseconds, JSON with sorted keys.
    private func normalized(_ rows: [[String: Any]], _ columns: Set<String>) -> [String] {
        rows.map { row in columns.sorted().map { "\($0)=\(canonical(row[$0] ?? NSNull()))" }.joined(separator: "|") }.sorted()
    }

    private func canonical(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let number as NSNumber: return String(format: "%.3f", number.doubleValue)
        case let text as String:
            if text == "true" || text == "false" { return text == "true" ? "1.000" : "0.000" }
            if let instant = epochMilliseconds(text) { return "@\(instant)" }
            if let number = Double(text) { return String(format: "%.3f", number) }
            if text.hasPrefix("{") || text.hasPrefix("["),
               let json = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
               let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) {
                return String(decoding: data, as: UTF8.self)
            }
            return text
        default: return "\(value)"
        }
    }

    /// `2026-01-02T03:04:05.678Z`, `2026-01-02 03:04:05+00` and the like, in milliseconds since 1970.
    private func epochMilliseconds(_ text: String) -> Int64? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):?(\d{2})?)?$"#
        guard let match = try? NSRegularExpression(pattern: pattern).firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ n: Int) -> String? { Range(match.range(at: n), in: text).map { String(text[$0]) } }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        (components.year, components.month, components.day) = (Int(group(1)!), Int(group(2)!), Int(group(3)!))
        (components.hour, components.minute, components.second) = (Int(group(4)!), Int(group(5)!), Int(group(6)!))
        guard let date = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        let fraction = group(7).flatMap { Double("0" + $0) } ?? 0
        let offset = group(9).map { sign in
            (sign == "-" ? -1 : 1) * ((Int(group(10) ?? "0") ?? 0) * 3600 + (Int(group(11) ?? "0") ?? 0) * 60)
        } ?? 0
        return Int64(((date.timeIntervalSince1970 + fraction - Double(offset)) * 1000).rounded())
    }
}
