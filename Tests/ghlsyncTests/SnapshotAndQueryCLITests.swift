import Foundation
import GHLStore
import GRDB
import Testing

/// `snapshot` and `query`'s output forms, through the real binary.
@Suite struct SnapshotAndQueryCLITests {
    /// Repeated column names are valid SQL; every form prints them.
    @Test func queryPrintsRepeatedColumnNamesInEveryForm() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("x.sqlite")
        _ = try CLIRunner.run(["init", "--db", db])
        let sql = "SELECT 1 AS a, 2 AS a, 3 AS a_2"
        let table = try CLIRunner.run(["query", "--db", db, sql])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.split(separator: "\n").first?.split(separator: " ") == ["a", "a", "a_2"])
        #expect(table.stdout.contains("(1 row)"))
        let csv = try CLIRunner.run(["query", "--db", db, "--format", "csv", sql])
        #expect(csv.status == 0 && csv.stdout == "a,a,a_2\r\n1,2,3\r\n", "\(csv.stdout) \(csv.stderr)")
        let json = try CLIRunner.run(["query", "--db", db, "--format", "json", sql])
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Int]])
        #expect(rows == [["a": 1, "a_3": 2, "a_2": 3]])
    }

    /// A snapshot taken while a writer commits is one consistent state (the
    /// writer adds two contacts per transaction, so the count is even), opens
    /// with no `-wal` beside it, and `--without-users` carries no account.
    @Test func snapshotIsConsistentWhileWrittenAndCanLeaveOutUsers() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("x.sqlite")
        _ = try CLIRunner.run(["init", "--db", db])
        let source = try CLIRunner.run(["sources", "add", "--db", db, "--name", "A", "--location-id", "l1", "--token-env", "T"]).lastLine
        let added = try CLIRunner.run(["users", "add", "--db", db, "--email", "ana@example.com", "--password-env", "PW"],
                                      environment: ["PW": "a long secret password"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try CLIRunner.run(["users", "grant", "--db", db, "--user", "ana@example.com", "--source", source, "--role", "viewer"]).status == 0)
        // What she may not read, `query --as` refuses, even without reading a column.
        let counted = try CLIRunner.run(["query", "--db", db, "--as", "ana@example.com", "SELECT count(*) FROM users"])
        #expect(counted.status != 0 && counted.stderr.contains("not allowed"), "\(counted.stdout) \(counted.stderr)")
        let hash = try CLIRunner.sqlite3(db, "SELECT password_hash FROM users")
        #expect(hash.count > 20)

        let store = try Store(path: db)
        let writing = Task.detached {
            var round = 0
            while !Task.isCancelled {
                round += 1
                let pair = (0..<2).map { i in
                    EntityRecord(ghlId: "c\(round)-\(i)", values: [:], raw: "{}", ghlCreatedAt: nil, ghlUpdatedAt: nil)
                }
                // GRDB's async write honours the cancellation that ends this loop: it commits the pair whole or not at all.
                do { try await store.upsert(.contacts, sourceId: source, records: pair) } catch is CancellationError { break }
            }
            return round
        }
        try await Task.sleep(for: .milliseconds(200))
        let whole = dir.path("whole.sqlite"), handoff = dir.path("handoff.sqlite")
        let first = try CLIRunner.run(["snapshot", "--db", db, "--out", whole])
        let second = try CLIRunner.run(["snapshot", "--db", db, "--out", handoff, "--without-users"])
        writing.cancel()
        let rounds = try await writing.value
        #expect(first.status == 0 && second.status == 0, "\(first.stderr) \(second.stderr)")
        #expect(rounds > 1)

        for copy in [whole, handoff] {
            #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
            #expect(try CLIRunner.sqlite3(copy, "PRAGMA journal_mode") == "delete")
            #expect(try CLIRunner.sqlite3(copy, "PRAGMA integrity_check") == "ok")
            let contacts = try #require(Int(try CLIRunner.sqlite3(copy, "SELECT COUNT(*) FROM ghl_contacts")))
            #expect(contacts > 0 && contacts % 2 == 0, "\(copy): \(contacts) contacts, a transaction was cut")
            #expect(try CLIRunner.sqlite3(copy, "SELECT COUNT(*) FROM v_ghl_dashboard_summary") == "1")
        }
        #expect(try CLIRunner.sqlite3(whole, "SELECT password_hash FROM users") == hash)
        #expect(try CLIRunner.sqlite3(whole, "SELECT COUNT(*) FROM user_sources") == "1")
        for table in ["users", "auth_sessions", "user_sources"] {
            #expect(try CLIRunner.sqlite3(handoff, "SELECT COUNT(*) FROM \(table)") == "0", "\(table)")
        }
        // Not even in a free page: the copy was vacuumed after the deletion.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: handoff))
        #expect(bytes.range(of: Data(hash.utf8)) == nil)
        #expect(bytes.range(of: Data("ana@example.com".utf8)) == nil)
        // An existing file is never overwritten.
        let again = try CLIRunner.run(["snapshot", "--db", db, "--out", whole])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
    }
}
