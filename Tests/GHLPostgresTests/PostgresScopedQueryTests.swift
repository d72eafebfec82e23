import GHLPostgres
import GHLStore
import Testing

/// `query --as` on PostgreSQL: whatever SQL a viewer of source A tries, the
/// database's RLS shows none of source B; the connecting role reads both.
@Suite struct PostgresScopedQueryTests {
    @Test func aViewerOfOneSourceReadsNothingOfTheOtherByAnySQLItTries() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let (a, b) = (fixture.sourceA, fixture.sourceB)
            _ = try fixture.psql("ANALYZE")   // so that pg_stats has something to leak, were it to
            let answered: [(sql: String, rows: [[StoreValue]]?)] = [
                ("SELECT count(*) FROM ghl_contacts", [[.integer(3)]]),
                ("SELECT count(*) FROM ghl_contacts WHERE source_id = '\(b)'", [[.integer(0)]]),
                ("SELECT id FROM ghl_sources", [[.text(a)]]),
                ("TABLE ghl_sources", nil),
                ("SELECT source_id, contacts_count FROM v_ghl_dashboard_summary", [[.text(a), .integer(3)]]),
                ("WITH c AS (SELECT * FROM ghl_contacts) SELECT count(DISTINCT source_id) FROM c", [[.integer(1)]]),
                ("SELECT count(*) FROM users", [[.integer(1)]]),
                ("SELECT source_id FROM user_sources", [[.text(a)]]),
                // A function that fails on B's rows never sees them: RLS filters first.
                ("SELECT count(*) FROM ghl_contacts WHERE CASE WHEN source_id = '\(b)' THEN 1 / (length(source_id) - length(source_id)) ELSE 1 END = 1",
                 [[.integer(3)]]),
                // Planner statistics of tables under RLS are hidden from the user.
                ("SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'ghl_contacts'", []),
                ("SELECT count(*) FROM pg_catalog.pg_stats WHERE tablename LIKE 'ghl%' AND most_common_vals IS NOT NULL", [[.integer(0)]]),
            ]
            for (sql, expected) in answered {
                let result = try await fixture.store.query(sql, asUser: fixture.viewerOfA, timeLimit: .seconds(10))
                if let expected { #expect(result.rows == expected, "\(sql)") }
                let texts = result.rows.flatMap { $0 }.compactMap(\.textValue)
                #expect(!texts.contains { $0.contains(b) }, "\(sql) shows source B")
            }
            let refused = [
                "SELECT set_config('request.jwt.claims', '{\"sub\": \"\(fixture.stranger)\"}', true), count(*) FROM ghl_contacts",
                "SELECT pg_catalog.\"set_config\"('role', 'postgres', true)",
                "SELECT U&\"\\0073et_config\"('role', 'postgres', true)",
                "RESET ROLE",
                "SELECT 1; SET ROLE postgres",
                "EXPLAIN ANALYZE SELECT * FROM ghl_contacts",
                "SELECT * FROM sync_cursors",
                "SELECT * FROM ghlsync_changes",
                "SELECT * FROM auth_sessions",
                "DELETE FROM ghl_contacts RETURNING source_id",
            ]
            for sql in refused {
                await #expect(throws: PostgresStoreError.self, "\(sql)") {
                    try await fixture.store.query(sql, asUser: fixture.viewerOfA, timeLimit: .seconds(10))
                }
            }
            // The connecting role (the operator) reads both sources, still read-only.
            let all = try await fixture.store.query("SELECT source_id, count(*) FROM ghl_contacts GROUP BY 1 ORDER BY 2",
                                                    asUser: nil, timeLimit: .seconds(10))
            #expect(all.columns == ["source_id", "count"])
            #expect(all.rows == [[.text(a), .integer(3)], [.text(b), .integer(5)]])
            await #expect(throws: PostgresStoreError.self) {
                try await fixture.store.query("DELETE FROM ghl_contacts RETURNING 1", asUser: nil, timeLimit: .seconds(10))
            }
            #expect(try fixture.psql("SELECT count(*) FROM ghl_contacts") == ["8"])
        }
    }

    @Test func valuesComeBackTypedAndRepeatedColumnNamesStay() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let result = try await fixture.store.query(
                "SELECT 1 AS a, 2.5::numeric AS a, 'x' AS b, NULL::text AS c, true AS d, '{\"k\": [1]}'::jsonb AS e, " +
                "timestamptz '2026-01-02 03:04:05+00' AS f -- trailing comment;",
                asUser: fixture.viewerOfA, timeLimit: .seconds(10))
            #expect(result.columns == ["a", "a", "b", "c", "d", "e", "f"])
            #expect(result.rows == [[.integer(1), .real(2.5), .text("x"), .null, .text("true"), .text(#"{"k": [1]}"#),
                                     .text("2026-01-02T03:04:05.000Z")]])
        }
    }
}
