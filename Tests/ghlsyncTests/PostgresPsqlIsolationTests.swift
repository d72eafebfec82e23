import Foundation
import GHLPostgresTestSupport
import Testing

/// The seed's "even with direct SQL, queries are filtered", shown with the
/// real `psql`: a login role that has exactly `ghlsync_user`'s rights (and
/// is neither owner nor superuser), with a viewer's claims, reads only that
/// viewer's source in every `ghl_*` table and view, cannot change the other
/// source's rows, and without claims reads nothing. Nothing but the
/// database's row-level security stands between it and the tables.
@Suite(.timeLimit(.minutes(5))) struct PostgresPsqlIsolationTests {
    /// Every `ghl_*` table and the column naming its rows' source.
    static let tables = [("ghl_sources", "id"), ("ghl_contacts", "source_id"), ("ghl_opportunities", "source_id"),
                         ("ghl_pipelines", "source_id"), ("ghl_orders", "source_id"), ("ghl_payments", "source_id"),
                         ("ghl_reviews", "source_id"), ("ghl_sync_jobs", "source_id")]
    static let views = ["v_ghl_contacts_recent", "v_ghl_opportunities_report", "v_ghl_pipeline_stage_summary",
                        "v_ghl_revenue_summary", "v_ghl_reviews_summary", "v_ghl_sync_status", "v_ghl_dashboard_summary"]

    @Test func psqlAsAViewersRoleAndClaimsReadsOnlyThatSourceThroughRLSAlone() async throws {
        let world = try await PostgresServeWorld(locations: 2)
        defer { world.stop() }
        #expect(try world.cli(["sync", "--all", "--db", world.url]).status == 0)
        let (a, b) = (world.sourceIds[0], world.sourceIds[1])
        let cluster = try PostgresCluster.shared()
        let login = "viewer_login_" + UUID().uuidString.prefix(8).lowercased()
        _ = try world.psql("CREATE ROLE \(login) LOGIN; GRANT ghlsync_user TO \(login);")
        let viewer = try world.psql("SELECT id FROM users WHERE email = 'viewer@example.com'").trimmingCharacters(in: .whitespacesAndNewlines)
        // The schema's tables are exactly the ones checked here.
        let listed = try world.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'ghl\\_%' ORDER BY 1")
        #expect(listed.split(separator: "\n").map(String.init) == Self.tables.map(\.0).sorted())

        /// Each relation's rows as `name|rows|rows not of A`, one line each.
        let counts = (Self.tables + Self.views.map { ($0, "source_id") }).map { relation, column in
            "SELECT '\(relation)', count(*), count(*) FILTER (WHERE \(column) <> '\(a)') FROM \(relation);"
        }.joined(separator: "\n")
        /// `script` as the login role, with `sub`'s claims set as PostgREST sets them (none when nil).
        func asLogin(_ script: String, claimsOf sub: String?) throws -> [String] {
            let setClaims = sub.map { sub in """
                \\o /dev/null
                SELECT set_config('request.jwt.claims', '{"sub": "\(sub)", "role": "authenticated"}', true);
                \\o

                """ } ?? ""
            return try cluster.psql(database: world.database, script: setClaims + script, role: login)
                .split(separator: "\n").map(String.init)
        }
        // What the superuser (whom RLS does not restrict) counts of A in each relation, and of both sources.
        let ofA = (Self.tables + Self.views.map { ($0, "source_id") }).map { relation, column in
            "SELECT '\(relation)', count(*) FILTER (WHERE \(column) = '\(a)'), 0 FROM \(relation);"
        }.joined(separator: "\n")
        let expected = try world.psql(ofA).split(separator: "\n").map(String.init)
        let everything = try world.psql(counts).split(separator: "\n").map(String.init)
        // Both sources have rows in every relation, so the filtering below is not vacuous.
        for line in everything {
            let fields = line.split(separator: "|")
            #expect(fields.count == 3 && Int(fields[1])! > Int(fields[2])! && Int(fields[2])! > 0, "\(line)")
        }
        #expect(expected.allSatisfy { Int($0.split(separator: "|")[1])! > 0 }, "\(expected)")

        // The login role is no superuser, bypasses no RLS, owns nothing: ghlsync_user's rights only.
        #expect(try asLogin("""
            SELECT rolsuper, rolbypassrls, pg_has_role(current_user, 'ghlsync_user', 'USAGE') FROM pg_roles WHERE rolname = current_user;
            SELECT count(*) FROM pg_tables WHERE tableowner = current_user;
            """, claimsOf: viewer) == ["f|f|t", "0"])
        // With a viewer of A's claims: A's rows, every one of them, and nothing else.
        #expect(try asLogin(counts, claimsOf: viewer) == expected)
        #expect(try asLogin("""
            SELECT count(*) FROM ghl_contacts WHERE source_id = '\(b)';
            SELECT count(*) FROM v_ghl_dashboard_summary WHERE source_id = '\(b)';
            SELECT count(*) FROM ghl_sources WHERE id = '\(b)';
            """, claimsOf: viewer) == ["0", "0", "0"])
        // Writing B's rows (or A's) is refused outright: the role may only read.
        let before = try world.psql("SELECT count(*), count(*) FILTER (WHERE email = 'owned@example.com') FROM ghl_contacts WHERE source_id = '\(b)'")
        for write in ["UPDATE ghl_contacts SET email = 'owned@example.com' WHERE source_id = '\(b)'",
                      "DELETE FROM ghl_contacts WHERE source_id = '\(b)'",
                      "DELETE FROM ghl_sources WHERE id = '\(b)'",
                      "UPDATE ghl_contacts SET email = 'owned@example.com' WHERE source_id = '\(a)'",
                      "INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw) VALUES ('\(b)', 'planted', '{}')",
                      "INSERT INTO user_sources (user_id, source_id, role) VALUES ('\(viewer)', '\(b)', 'owner')"] {
            do {
                let printed = try asLogin(write + ";", claimsOf: viewer)
                Issue.record("\(write) was not refused: \(printed)")
            } catch {
                #expect("\(error)".contains("permission denied"), "\(write): \(error)")
            }
        }
        #expect(try world.psql("SELECT count(*), count(*) FILTER (WHERE email = 'owned@example.com') FROM ghl_contacts WHERE source_id = '\(b)'") == before)
        #expect(try world.psql("SELECT count(*) FROM ghl_contacts WHERE ghl_contact_id = 'planted'") == "0\n")

        // Without claims (a plain session as the role): no rows at all, nor the grants table's.
        let none = (Self.tables + Self.views.map { ($0, "source_id") }).map { "\($0.0)|0|0" }
        #expect(try asLogin(counts, claimsOf: nil) == none)
        #expect(try asLogin("SELECT count(*) FROM user_sources; SELECT count(*) FROM users;", claimsOf: nil) == ["0", "0"])
        // Claims of a user with no grant: nothing either.
        #expect(try asLogin(counts, claimsOf: "no-such-user") == none)
    }
}
