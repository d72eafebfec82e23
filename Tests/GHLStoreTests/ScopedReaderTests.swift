import Foundation
import GRDB
import Testing
@testable import GHLStore

@Suite struct ScopedReaderTests {
    /// Each scoped table, with the column that names its source.
    static let scopedTables: [(table: String, sourceColumn: String)] =
        [("ghl_sources", "id"), ("user_sources", "source_id"), ("ghl_sync_jobs", "source_id")]
        + Entity.allCases.map { ($0.table, "source_id") }

    @Test func everyTableShowsOnlyTheScopesRows() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store)
        for (table, column) in Self.scopedTables {
            for unqualified in [table, "temp.\(table)"] {
                let rows = try reader.fetchNow("SELECT * FROM \(unqualified)", scope: fixture.scopeA)
                let sources = TwoSourceFixture.values(rows, column)
                #expect(!sources.isEmpty, "\(unqualified) is empty for A")
                #expect(sources.allSatisfy { $0 == fixture.sourceA }, "\(unqualified) leaks another source: \(sources)")
            }
        }
        let grants = try reader.fetchNow("SELECT user_id FROM user_sources", scope: fixture.scopeA)
        #expect(TwoSourceFixture.values(grants, "user_id") == ["user-a"])
    }

    /// A statement that would run for ever is stopped at the reader's time
    /// limit, and the connection serves the next query as before.
    @Test func aRunawayQueryIsStoppedAtTheTimeLimit() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store, timeLimit: .milliseconds(200))
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"
        #expect(throws: StoreError.timeLimitExceeded(seconds: 0.2)) {
            try reader.fetchNow(endless, scope: fixture.scopeA)
        }
        let rows = try reader.fetchNow("SELECT COUNT(*) AS n FROM ghl_sources", scope: fixture.scopeA)
        #expect(rows.rows.map { Int.fromDatabaseValue($0[0]) } == [1])
    }

    @Test func everyReportingViewShowsOnlyTheScopesRows() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store)
        for view in ReportingViews.names {
            let all = try await fixture.store.pool.base.read { try String.fetchSet($0, sql: "SELECT source_id FROM \(view)") }
            #expect(all == [fixture.sourceA, fixture.sourceB], "fixture does not feed \(view)")
            for scope in [fixture.scopeA, fixture.scopeB] {
                let rows = try reader.fetchNow("SELECT * FROM \(view)", scope: scope)
                let sources = Set(TwoSourceFixture.values(rows, "source_id").compactMap { $0 })
                #expect(sources == scope.sourceIds, "\(view) under \(scope.sourceIds): \(sources)")
            }
        }
    }

    @Test func viewTotalsCountOnlyTheScopesRows() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store)
        let both = AccessScope(userId: "user-a", sourceIds: [fixture.sourceA, fixture.sourceB])
        let one = try reader.fetchNow("SELECT SUM(contacts_count), SUM(won_revenue) FROM v_ghl_dashboard_summary", scope: fixture.scopeA)
        let two = try reader.fetchNow("SELECT SUM(contacts_count), SUM(won_revenue) FROM v_ghl_dashboard_summary", scope: both)
        #expect(one.rows == [[1.databaseValue, 100.0.databaseValue]])
        #expect(two.rows == [[2.databaseValue, 200.0.databaseValue]])
        for (table, _) in Self.scopedTables {
            let empty = try reader.fetchNow("SELECT COUNT(*) FROM \(table)", scope: AccessScope(userId: "nobody", sourceIds: []))
            #expect(empty.rows == [[0.databaseValue]], "\(table)")
        }
    }

    /// SQL that tries to reach beyond the scope: each is refused at compile time.
    static let refused: [String] = [
        "SELECT * FROM main.ghl_contacts",
        "SELECT * FROM MAIN.GHL_CONTACTS",
        "SELECT * FROM \"main\".\"ghl_contacts\"",
        "SELECT * FROM main.v_ghl_contacts_recent",
        "SELECT * FROM main.user_sources",
        "SELECT * FROM ghl_contacts WHERE id IN (SELECT id FROM main.ghl_contacts)",
        "SELECT (SELECT COUNT(*) FROM main.ghl_payments)",
        "SELECT COUNT(*) FROM main.ghl_contacts",
        "SELECT COUNT(*) FROM main.user_sources",
        "WITH ghl_contacts AS (SELECT * FROM main.ghl_contacts) SELECT * FROM ghl_contacts",
        "WITH RECURSIVE ghl_contacts(x) AS (SELECT source_id FROM main.ghl_contacts) SELECT * FROM ghl_contacts",
        "SELECT * FROM (SELECT * FROM main.ghl_contacts) AS ghl_contacts",
        "WITH ghlsync_scope_x_ghl_contacts AS (SELECT * FROM main.ghl_contacts) SELECT * FROM ghlsync_scope_x_ghl_contacts",
        "WITH GHLSYNC_SCOPE_X AS (SELECT 1) SELECT * FROM GHLSYNC_SCOPE_X",
        "SELECT * FROM users",
        // Naming a table without reading a column of it is a read of it all the same.
        "SELECT COUNT(*) FROM users",
        "SELECT 1 FROM auth_sessions",
        "SELECT COUNT(*) FROM sync_cursors",
        "SELECT COUNT(*) FROM webhook_receipts",
        "SELECT COUNT(*) FROM sqlite_master",
        "SELECT COUNT(*) FROM sync_seen",
        "SELECT EXISTS (SELECT 1 FROM users)",
        "SELECT source_id FROM ghl_contacts, users",
        "SELECT COUNT(*) FROM pragma_table_list",
        "SELECT COUNT(*) FROM main.users",
        "WITH users AS (SELECT 1) SELECT COUNT(*) FROM users",
        "SELECT sqlite_offset(source_id) FROM ghl_contacts",
        "SELECT * FROM auth_sessions",
        "SELECT * FROM sync_cursors",
        "SELECT * FROM webhook_receipts",
        "SELECT * FROM auth_grants_version",
        "SELECT * FROM sqlite_master",
        "SELECT * FROM sqlite_schema",
        "SELECT * FROM sqlite_temp_master",
        "SELECT * FROM temp.sqlite_master",
        "SELECT * FROM sqlite_sequence",
        "SELECT * FROM pragma_table_info('ghl_contacts')",
        "SELECT * FROM pragma_database_list",
        "PRAGMA table_info(ghl_contacts)",
        "PRAGMA query_only = 0",
        "ATTACH DATABASE ':memory:' AS other",
        "DETACH DATABASE temp",
        "INSERT INTO ghl_contacts (source_id) VALUES ('x')",
        "UPDATE ghl_contacts SET email = 'x'",
        "DELETE FROM ghl_contacts",
        "DROP VIEW ghl_contacts",
        "DROP VIEW temp.ghl_contacts",
        "CREATE TEMP VIEW mine AS SELECT * FROM main.ghl_contacts",
        "CREATE TEMP TABLE mine (x)",
        "BEGIN",
        "SELECT load_extension('/tmp/evil')",
        "EXPLAIN SELECT * FROM ghl_contacts",
        "EXPLAIN QUERY PLAN SELECT * FROM ghl_contacts",
        "SELECT 1; DELETE FROM ghl_contacts",
        "SELECT 1; SELECT * FROM main.ghl_contacts",
        "",
    ]

    @Test(arguments: refused)
    func refusesSQLReachingBeyondTheScope(_ sql: String) async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store)
        #expect(throws: StoreError.self, "\(sql)") { try reader.fetchNow(sql, scope: fixture.scopeA) }
        // The connection stays usable and scoped after a refusal.
        let after = try reader.fetchNow("SELECT DISTINCT source_id FROM ghl_contacts", scope: fixture.scopeA)
        #expect(TwoSourceFixture.values(after, "source_id") == [fixture.sourceA])
    }

    /// SQL that is allowed but still sees only the scope.
    static let scoped: [String] = [
        "SELECT source_id FROM ghl_contacts WHERE source_id = '%B'",
        "SELECT source_id FROM ghl_contacts UNION ALL SELECT source_id FROM ghl_orders",
        "WITH x AS (SELECT * FROM ghl_contacts) SELECT source_id FROM x",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT c.source_id FROM n, ghl_contacts c",
        "SELECT source_id FROM (SELECT * FROM ghl_payments) WHERE 1",
        "SELECT o.source_id FROM ghl_opportunities o JOIN ghl_contacts c ON c.ghl_contact_id = o.contact_id",
        "SELECT id AS source_id FROM ghl_sources",
        "SELECT source_id FROM v_ghl_opportunities_report",
        "SELECT source_id FROM temp.v_ghl_revenue_summary",
        "SELECT source_id FROM ghl_pipelines p, json_each(p.stages)",
    ]

    @Test(arguments: scoped)
    func allowedSQLSeesOnlyTheScope(_ template: String) async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let sql = template.replacingOccurrences(of: "%B", with: fixture.sourceB)
        let rows = try ScopedReader(store: fixture.store).fetchNow(sql, scope: fixture.scopeA)
        #expect(TwoSourceFixture.values(rows, "source_id").allSatisfy { $0 == fixture.sourceA }, "\(sql)")
    }

    @Test func schemaChangesByAnotherConnectionKeepTheScope() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store)
        let sql = "SELECT p.source_id FROM ghl_pipelines p, json_each(p.stages)"
        #expect(TwoSourceFixture.values(try reader.fetchNow(sql, scope: fixture.scopeA), "source_id") == [fixture.sourceA, fixture.sourceA])
        try await fixture.store.pool.base.write { try $0.execute(sql: "CREATE TABLE later (x); DROP VIEW v_ghl_contacts_recent") }
        #expect(TwoSourceFixture.values(try reader.fetchNow(sql, scope: fixture.scopeA), "source_id") == [fixture.sourceA, fixture.sourceA])
        #expect(throws: StoreError.self) { try reader.fetchNow("SELECT * FROM later", scope: fixture.scopeA) }
        // The connection was built before `later` existed: its compiled program, not its name, refuses it.
        #expect(throws: StoreError.accessDenied("the query reads later, outside your scope")) {
            try reader.fetchNow("SELECT COUNT(*) FROM later", scope: fixture.scopeA)
        }
        #expect(TwoSourceFixture.values(try reader.fetchNow("SELECT * FROM v_ghl_contacts_recent", scope: fixture.scopeA), "source_id") == [fixture.sourceA])
    }

    /// The file numbers rows and jobs across sources; a scope sees ids that
    /// count nothing of another source: GHL's ids, and jobs numbered per source.
    @Test func idsSeenThroughAScopeCountNothingOfOtherSources() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store)
        func ids(_ sql: String) throws -> [String?] { TwoSourceFixture.values(try reader.fetchNow(sql, scope: fixture.scopeA), "id") }
        let before = try ["ghl_contacts", "ghl_reviews", "ghl_sync_jobs"].map { try ids("SELECT CAST(id AS TEXT) AS id FROM \($0)") }
        let status = "SELECT CAST(job_id AS TEXT) AS id FROM v_ghl_sync_status"
        let statusBefore = try ids(status)
        #expect(before == [["c1"], ["v1"], ["1"]] && statusBefore == ["1"])
        for round in 2...4 { try await TwoSourceFixture.fill(fixture.store, source: fixture.sourceB, user: "user-b", suffix: "-\(round)") }
        #expect(try ["ghl_contacts", "ghl_reviews", "ghl_sync_jobs"].map { try ids("SELECT CAST(id AS TEXT) AS id FROM \($0)") } == before)
        #expect(try ids(status) == statusBefore)
        try await TwoSourceFixture.fill(fixture.store, source: fixture.sourceA, user: "user-a", suffix: "-2")
        #expect(try ids(status) == ["2"])
        // The reviews summary still counts by id.
        #expect(try reader.fetchNow("SELECT review_count FROM v_ghl_reviews_summary", scope: fixture.scopeA).rows == [[2.databaseValue]])
    }

    /// SQLite tests the terms an index covers before the scope's filter. Through
    /// an index spanning every source (on `updated_at`, on GHL's id alone), a
    /// failing expression would run on another source's rows and quote its value
    /// in the error; such a plan is refused, and nothing of B comes back.
    @Test(arguments: [("ghl_contacts", "updated_at"), ("ghl_contacts", "ghl_contact_id"), ("ghl_reviews", "ghl_review_id"),
                      ("ghl_sync_jobs", "created_at")])
    func indexesSpanningEverySourceAreNotRead(_ table: String, _ column: String) async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let secret = "2031-01-01T00:00:00.000Z-secret-of-b"
        try await fixture.store.pool.base.write { db in
            try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE source_id = ?", arguments: [secret, fixture.sourceB])
        }
        let reader = ScopedReader(store: fixture.store)
        for attack in [
            "SELECT count(*) FROM \(table) WHERE likelihood(\(column) > '', 0.000001) AND json_extract('{}', \(column)) IS NOT NULL",
            "SELECT count(*) FROM \(table) WHERE likelihood(\(column) >= '2031', 0.000001) AND json(\(column)) IS NOT NULL",
        ] {
            let answer: String
            do { answer = "\(try reader.fetchNow(attack, scope: fixture.scopeA).rows)" } catch { answer = "\(error)" }
            #expect(!answer.contains("secret-of-b") && !answer.contains("2031"), "\(attack) showed B's value: \(answer)")
        }
        // Written so that SQLite leaves the index alone, the same question reads A's rows only.
        let plain = try reader.fetchNow("SELECT count(*) AS n FROM \(table) WHERE +\(column) = '\(secret)'", scope: fixture.scopeA)
        #expect(plain.rows == [[0.databaseValue]])
        // The indexes on row times lead with `source_id`, so a scoped sort by them is served, not refused.
        #expect(try reader.fetchNow("SELECT updated_at FROM ghl_contacts ORDER BY updated_at DESC LIMIT 1", scope: fixture.scopeA).rows.count == 1)
    }

    @Test func parametersBindInOrderAndMustMatch() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store)
        let rows = try reader.fetchNow("SELECT ?, ? || 'x'", arguments: [7.databaseValue, "a".databaseValue], scope: fixture.scopeA)
        #expect(rows.rows == [[7.databaseValue, "ax".databaseValue]])
        #expect(throws: StoreError.self) { try reader.fetchNow("SELECT ?", scope: fixture.scopeA) }
    }

    @Test func cachedConnectionsSeeNewRowsAndOtherScopesStaySeparate() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        let reader = ScopedReader(store: fixture.store, maxScopes: 1, connectionsPerScope: 1)
        let count = "SELECT COUNT(*) FROM ghl_contacts"
        #expect(try reader.fetchNow(count, scope: fixture.scopeA).rows == [[1.databaseValue]])
        try await TwoSourceFixture.fill(fixture.store, source: fixture.sourceA, user: "user-a", suffix: "-2")
        #expect(try reader.fetchNow(count, scope: fixture.scopeA).rows == [[2.databaseValue]])
        // Many concurrent reads across scopes, with a cache smaller than the demand.
        try await withThrowingTaskGroup(of: (AccessScope, [String?]).self) { group in
            for i in 0..<24 {
                let scope = i.isMultiple(of: 2) ? fixture.scopeA : fixture.scopeB
                group.addTask { (scope, TwoSourceFixture.values(try await reader.fetch("SELECT source_id FROM ghl_orders", scope: scope), "source_id")) }
            }
            for try await (scope, sources) in group {
                #expect(!sources.isEmpty && sources.allSatisfy { scope.sourceIds.contains($0 ?? "") })
            }
        }
    }
}
