import Foundation
import GHLStore
import Testing

@Suite(.serialized) struct UsersCLITests {
    @Test func usersGrantsTokensAndScopedQueriesEndToEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("ghl.sqlite").path
        func ghlsync(_ arguments: String..., env: [String: String] = [:]) throws -> CLIRunner.Result {
            try CLIRunner.run(Array(arguments), environment: env)
        }

        #expect(try ghlsync("init", "--db", db).status == 0)
        let a = try ghlsync("sources", "add", "--db", db, "--name", "Alpha", "--location-id", "la", "--token-env", "T").lastLine
        let b = try ghlsync("sources", "add", "--db", db, "--name", "Beta", "--location-id", "lb", "--token-env", "T").lastLine
        do {
            let store = try Store(path: db)
            for source in [a, b] {
                try await store.upsert(.contacts, sourceId: source, records: [
                    EntityRecord(ghlId: "c-\(source)", values: ["email": .text("x@\(source).test")], raw: "{}",
                                 ghlCreatedAt: nil, ghlUpdatedAt: nil)])
            }
        }

        let added = try ghlsync("users", "add", "--db", db, "--email", "alice@example.com", "--password-env", "PW",
                                env: ["PW": "correct horse battery"])
        #expect(added.status == 0 && added.lastLine.count == 36)
        #expect(try ghlsync("users", "add", "--db", db, "--email", "bob@example.com").status == 0)
        #expect(try ghlsync("users", "grant", "--db", db, "--user", "alice@example.com", "--source", a, "--role", "viewer").status == 0)
        #expect(try ghlsync("users", "grant", "--db", db, "--user", "bob@example.com", "--source", b, "--role", "owner").status == 0)

        // Clear errors, non-zero exits, nothing changed.
        let failures: [([String], [String: String], String)] = [
            (["users", "add", "--db", db, "--email", "ALICE@example.com"], [:], "already exists"),
            (["users", "add", "--db", db, "--email", "not-an-email"], [:], "not a valid email"),
            (["users", "add", "--db", db, "--email", "c@example.com", "--password-env", "MISSING_PW_VAR"], [:], "is not set"),
            (["users", "add", "--db", db, "--email", "c@example.com", "--password-env", "PW"], ["PW": ""], "is empty"),
            (["users", "add", "--db", db, "--email", "c@example.com", "--password-env", "PW"], ["PW": "short"], "at least 8"),
            (["users", "grant", "--db", db, "--user", "nobody@example.com", "--source", a, "--role", "viewer"], [:], "unknown user"),
            (["users", "grant", "--db", db, "--user", "alice@example.com", "--source", "nope", "--role", "viewer"], [:], "unknown source"),
            (["users", "grant", "--db", db, "--user", "alice@example.com", "--source", a, "--role", "admin"], [:], "admin"),
            (["users", "revoke", "--db", db, "--user", "alice@example.com", "--source", b], [:], "has no grant"),
            (["users", "token", "--db", db, "--user", "nobody@example.com"], [:], "unknown user"),
            (["query", "--db", db, "--as", "nobody@example.com", "SELECT 1"], [:], "unknown user"),
        ]
        for (arguments, env, message) in failures {
            let result = try CLIRunner.run(arguments, environment: env)
            #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }

        // Several sources in one grant; one unknown id in the list grants none of them.
        #expect(try ghlsync("users", "add", "--db", db, "--email", "carol@example.com").status == 0)
        let partial = try ghlsync("users", "grant", "--db", db, "--user", "carol@example.com",
                                  "--source", a, "--source", "nope", "--role", "editor")
        #expect(partial.status != 0 && partial.stderr.contains("unknown source"))
        #expect(try !ghlsync("users", "list", "--db", db).stdout.contains("\(a):editor"))
        #expect(try ghlsync("users", "grant", "--db", db, "--user", "carol@example.com",
                            "--source", a, "--source", b, "--role", "editor").status == 0)
        let carol = try ghlsync("users", "list", "--db", db).stdout.split(separator: "\n").first { $0.contains("carol@") } ?? ""
        #expect(carol.contains("\(a):editor") && carol.contains("\(b):editor"), "\(carol)")

        let list = try ghlsync("users", "list", "--db", db)
        #expect(list.stdout.contains("alice@example.com") && list.stdout.contains("\(a):viewer") && list.stdout.contains("token only"))

        let token = try ghlsync("users", "token", "--db", db, "--user", "alice@example.com")
        #expect(token.status == 0 && token.lastLine.split(separator: ".").count == 3)
        var info = stat()
        #expect(stat(db + ".keys", &info) == 0 && info.st_mode & 0o777 == 0o600)

        // query --as sees only the user's rows, and base-table tricks are refused.
        let scoped = try ghlsync("query", "--db", db, "--as", "alice@example.com", "--format", "csv", "SELECT source_id FROM ghl_contacts")
        #expect(scoped.stdout == "source_id\r\n\(a)\r\n")
        let view = try ghlsync("query", "--db", db, "--as", "alice@example.com", "--format", "csv",
                               "SELECT source_id FROM v_ghl_dashboard_summary")
        #expect(view.stdout == "source_id\r\n\(a)\r\n")
        for attack in ["SELECT * FROM main.ghl_contacts", "SELECT * FROM users",
                       "WITH ghl_contacts AS (SELECT * FROM main.ghl_contacts) SELECT * FROM ghl_contacts",
                       "DELETE FROM ghl_contacts", "SELECT * FROM sqlite_master"] {
            let result = try ghlsync("query", "--db", db, "--as", "alice@example.com", attack)
            #expect(result.status != 0 && !result.stdout.contains(b), "\(attack)")
        }
        let endless = try ghlsync("query", "--db", db, "--as", "alice@example.com", "--time-limit", "0.3",
                                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n")
        #expect(endless.status != 0 && endless.stderr.contains("time limit of 0.3 s"), "\(endless.stderr)")
        // Without --as, the file's owner sees everything.
        #expect(try ghlsync("query", "--db", db, "--format", "csv", "SELECT COUNT(*) AS n FROM ghl_contacts").stdout == "n\r\n2\r\n")

        // A revoke takes effect on the next query.
        #expect(try ghlsync("users", "revoke", "--db", db, "--user", "alice@example.com", "--source", a).status == 0)
        let after = try ghlsync("query", "--db", db, "--as", "alice@example.com", "--format", "csv", "SELECT source_id FROM ghl_contacts")
        #expect(after.stdout == "source_id\r\n")

        let bytes = try Data(contentsOf: URL(fileURLWithPath: db)) + ((try? Data(contentsOf: URL(fileURLWithPath: db + "-wal"))) ?? Data())
        #expect(bytes.range(of: Data("correct horse battery".utf8)) == nil)
        #expect(bytes.range(of: Data(token.lastLine.utf8)) == nil)
    }
}
