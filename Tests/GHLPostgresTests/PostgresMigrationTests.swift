import GHLPostgres
import Testing

/// The PostgreSQL schema: migrations on an empty database, then again as a no-op;
/// the seed's tables, views, RLS and policies in place.
@Suite struct PostgresMigrationTests {
    @Test func migrationsApplyToAnEmptyDatabaseThenReapplyAsANoOp() async throws {
        try await PostgresFixture.with(seeded: false) { (fixture: PostgresFixture) async throws in
            let applied = try await fixture.store.appliedMigrations()
            #expect(applied == ["pg_v1_tables", "pg_v1_security", "pg_v1_views", "pg_v2_broadcast_changes", "pg_v2_rls_source_arrays", "pg_v3_auth", "pg_v4_scoped_ids", "pg_v5_change_ids", "pg_v5_live_set"])
            #expect(try await fixture.store.migrate() == [])
            #expect(try await fixture.store.appliedMigrations() == applied)
        }
    }

    @Test func theSeedsTablesAndViewsExistWithRowLevelSecurityOnEveryGHLTable() async throws {
        try await PostgresFixture.with(seeded: false) { (fixture: PostgresFixture) async throws in
            let tables = try fixture.psql("""
                SELECT relname || ':' || relrowsecurity FROM pg_class
                WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname LIKE 'ghl\\_%' ORDER BY relname
                """)
            #expect(tables == ["ghl_contacts:true", "ghl_opportunities:true", "ghl_orders:true", "ghl_payments:true",
                               "ghl_pipelines:true", "ghl_reviews:true", "ghl_sources:true", "ghl_sync_jobs:true"])
            let views = try fixture.psql("""
                SELECT relname || ':' || array_to_string(reloptions, ',') FROM pg_class
                WHERE relkind = 'v' AND relnamespace = 'public'::regnamespace ORDER BY relname
                """)
            #expect(views == PostgresRelation.views.map(\.rawValue).sorted().map { "\($0):security_invoker=true" })
            // Each ghl_* table's policy reads user_sources, the user id a once-per-statement sub-select.
            let policies = try fixture.psql("""
                SELECT tablename FROM pg_policies
                WHERE tablename LIKE 'ghl\\_%' AND qual LIKE '%user_sources%' AND qual LIKE '%( SELECT auth_user_id()%'
                ORDER BY tablename
                """)
            #expect(policies == tables.map { String($0.split(separator: ":")[0]) })
            for view in PostgresRelation.views {
                #expect(try fixture.psql("SELECT count(*) FROM \(view.rawValue)") == ["0"], "\(view.rawValue) answers")
            }
        }
    }
}
