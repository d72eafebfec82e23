import Foundation
import GRDB
import Testing
@testable import GHLStore

@Suite struct MigrationTests {
    static let seedTables = ["ghl_sources", "user_sources", "ghl_contacts", "ghl_opportunities", "ghl_pipelines",
                             "ghl_orders", "ghl_payments", "ghl_reviews", "ghl_sync_jobs"]

    @Test func freshFileHasSeedSchemaInWALWithForeignKeys() async throws {
        let db = try TestDatabase()
        #expect(try await db.store.appliedMigrations() == Schema.migrator.migrations)
        #expect(Schema.migrator.migrations.prefix(2) == ["v1", "v2"])
        try await db.store.pool.base.read { conn throws in
            let tables = try String.fetchSet(conn, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            #expect(Set(Self.seedTables).isSubset(of: tables))
            let views = try String.fetchSet(conn, sql: "SELECT name FROM sqlite_master WHERE type = 'view'")
            #expect(views == Set(ReportingViews.names))
            #expect(try String.fetchOne(conn, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Bool.fetchOne(conn, sql: "PRAGMA foreign_keys") == true)
            #expect(try String.fetchOne(conn, sql: "PRAGMA integrity_check") == "ok")
            for view in ReportingViews.names {
                _ = try Row.fetchAll(conn, sql: "SELECT * FROM \(view)")
            }
        }
    }

    /// Every entity table is indexed by source, and by GHL id within its
    /// source (the unique index, which also serves lookups by id alone: v7).
    @Test func seedIndexesExist() throws {
        let db = try TestDatabase()
        try db.store.pool.base.read { conn throws in
            for entity in Entity.allCases {
                let leading = try String.fetchSet(conn, sql: """
                    SELECT ii.name FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
                    WHERE m.name = ? AND ii.seqno = 0
                    """, arguments: [entity.table])
                #expect(leading == ["source_id"], "\(entity.table): \(leading)")
                let unique = try String.fetchAll(conn, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                                                 arguments: ["sqlite_autoindex_\(entity.table)_1"])
                #expect(unique == ["source_id", entity.idColumn])
            }
            let composite = try Row.fetchAll(conn, sql: "SELECT name FROM pragma_index_info('idx_user_sources_user_source')")
            #expect(composite.map { $0["name"] as String } == ["user_id", "source_id"])
        }
    }

    /// A store opened over a file an older ghlsync wrote: its schema up to
    /// `version`, then `sql` run on it.
    static func upgraded(from version: String, after sql: String, _ body: (Store) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-\(version)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        let old = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(old, upTo: version)
        try await old.write { try $0.execute(sql: sql) }
        try old.close()
        try await body(try Store(path: path))
    }

    /// v5: jobs numbered per source (old ones in their order), and grants
    /// that follow their user: a user's deletion deletes them, a grant of a
    /// user that no longer exists is dropped by the upgrade.
    @Test func v5NumbersJobsPerSourceAndTiesGrantsToUsers() async throws {
        let time = "'2024-01-01T00:00:00.000Z'"
        try await Self.upgraded(from: "v4_view_indexes", after: """
            INSERT INTO ghl_sources (id, name, location_id, api_base, token_env, created_at, updated_at)
            VALUES ('a', 'A', 'la', 'x', 'T', \(time), \(time)), ('b', 'B', 'lb', 'x', 'T', \(time), \(time));
            INSERT INTO ghl_sync_jobs (source_id, job_type, status, started_at, created_at)
            VALUES ('a', 'contacts', 'completed', \(time), \(time)), ('b', 'contacts', 'completed', \(time), \(time)),
                   ('b', 'orders', 'completed', \(time), \(time)), ('a', 'orders', 'completed', \(time), \(time));
            INSERT INTO users (id, email, created_at) VALUES ('u1', 'u1@example.com', \(time));
            INSERT INTO user_sources (user_id, source_id, role, created_at) VALUES ('u1', 'a', 'viewer', \(time)), ('gone', 'b', 'owner', \(time));
            """) { store in
            try store.pool.base.write { conn throws in
                let numbers = try Row.fetchAll(conn, sql: "SELECT source_id, source_job_number FROM ghl_sync_jobs ORDER BY id")
                #expect(numbers.map { "\($0["source_id"] as String)\($0["source_job_number"] as Int)" } == ["a1", "b1", "b2", "a2"])
                // Another writer's new job gets the next number of its source.
                try conn.execute(sql: "INSERT INTO ghl_sync_jobs (source_id, job_type, status, started_at, created_at) VALUES ('b', 'reviews', 'running', \(time), \(time))")
                #expect(try Int.fetchOne(conn, sql: "SELECT source_job_number FROM ghl_sync_jobs WHERE job_type = 'reviews'") == 3)
                #expect(try String.fetchAll(conn, sql: "SELECT user_id FROM user_sources") == ["u1"])
                #expect(throws: DatabaseError.self) {
                    try conn.execute(sql: "INSERT INTO user_sources (user_id, source_id, role, created_at) VALUES ('nobody', 'a', 'viewer', \(time))")
                }
                let version = try Int.fetchOne(conn, sql: "SELECT version FROM auth_grants_version") ?? 0
                try conn.execute(sql: "DELETE FROM users WHERE id = 'u1'")
                #expect(try Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM user_sources") == 0)
                #expect(try Int.fetchOne(conn, sql: "SELECT version FROM auth_grants_version") ?? 0 > version)
            }
        }
    }

    @Test func upgradesAPreviousVersionInPlaceKeepingData() async throws {
        // A file as the first release wrote it: schema v1 only, with data.
        try await Self.upgraded(from: "v1", after: """
            INSERT INTO ghl_sources (id, name, location_id, api_base, token_env, created_at, updated_at)
            VALUES ('s1', 'Old', 'loc', 'https://services.leadconnectorhq.com', 'T', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');
            INSERT INTO ghl_contacts (source_id, ghl_contact_id, email, raw, created_at, updated_at, synced_at)
            VALUES ('s1', 'c1', 'a@example.com', '{}', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');
            """) { store in
            #expect(try await store.appliedMigrations() == Schema.migrator.migrations)
            let source = try await store.source(id: "s1")
            #expect(source.name == "Old")
            #expect(source.syncMode == "incremental")
            try await store.pool.base.read { conn throws in
                #expect(try String.fetchOne(conn, sql: "SELECT email FROM ghl_contacts WHERE ghl_contact_id = 'c1'") == "a@example.com")
                #expect(try Int.fetchOne(conn, sql: "SELECT contacts_count FROM v_ghl_dashboard_summary WHERE source_id = 's1'") == 1)
                #expect(try Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM users") == 0)
                // v4_filters: every entity table says why a row is soft-deleted; old rows are live.
                for entity in Entity.allCases {
                    #expect(try conn.columns(in: entity.table).contains { $0.name == "deleted_reason" }, "\(entity.table)")
                }
                #expect(try Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM ghl_contacts WHERE deleted_reason IS NULL") == 1)
            }
        }
    }

    @Test func outdatedViewIsReplacedOnOpen() throws {
        let db = try TestDatabase()
        try db.store.pool.base.write { conn throws in
            try conn.execute(sql: "DROP VIEW v_ghl_reviews_summary; CREATE VIEW v_ghl_reviews_summary AS SELECT 1 AS stale")
        }
        let reopened = try Store(path: db.path)
        try reopened.pool.base.read { conn throws in
            let sql = try String.fetchOne(conn, sql: "SELECT sql FROM sqlite_master WHERE name = 'v_ghl_reviews_summary'")
            #expect(sql?.contains("average_rating") == true)
        }
    }

    /// The aggregate views read the entity tables only through covering
    /// indexes, with or without statistics, so a summary of one source never
    /// looks up that source's rows in the tables.
    @Test func aggregateViewsReadOnlyCoveringIndexes() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        try await db.store.upsert(.opportunities, sourceId: source, records: (0..<50).map { record("o\($0)", ["status": "open", "monetary_value": 1.0]) })
        let entityIndexes = ["idx_ghl_contacts_", "idx_ghl_opportunities_", "idx_ghl_orders_", "idx_ghl_payments_", "idx_ghl_reviews_"]
        for analyzed in [false, true] {
            if analyzed { try await db.store.pool.base.write { try $0.execute(sql: "ANALYZE") } }
            try await db.store.pool.base.read { conn throws in
                for view in ["v_ghl_pipeline_stage_summary", "v_ghl_revenue_summary", "v_ghl_reviews_summary", "v_ghl_dashboard_summary"] {
                    let plan = try Row.fetchAll(conn, sql: "EXPLAIN QUERY PLAN SELECT * FROM \(view) WHERE source_id = ?", arguments: [source])
                        .map { $0["detail"] as String }
                    let reads = plan.filter { line in entityIndexes.contains { line.contains($0) } }
                    #expect(!reads.isEmpty, "\(view): \(plan)")
                    #expect(reads.allSatisfy { $0.contains("USING COVERING INDEX") }, "\(view) analyzed=\(analyzed): \(reads)")
                }
            }
        }
    }

    /// An analyzed file gets statistics for the new indexes too: otherwise
    /// SQLite trusts measured figures for some indexes and guesses for others.
    @Test func viewIndexesReplaceTheOnesTheyExtendAndKeepStatistics() async throws {
        try await Self.upgraded(from: "v3_auth", after: """
            INSERT INTO ghl_sources (id, name, location_id, api_base, created_at, updated_at)
            VALUES ('s1', 'Old', 'loc', 'https://services.leadconnectorhq.com', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');
            INSERT INTO ghl_opportunities (source_id, ghl_opportunity_id, status, raw, created_at, updated_at, synced_at)
            VALUES ('s1', 'o1', 'open', '{}', '2024-01-01', '2024-01-01', '2024-01-01'),
                   ('s1', 'o2', 'won', '{}', '2024-01-01', '2024-01-01', '2024-01-01');
            ANALYZE;
            """) { store in
            try store.pool.base.read { conn throws in
                let indexes = try String.fetchSet(conn, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
                #expect(indexes.isDisjoint(with: ["idx_ghl_opportunities_source", "idx_ghl_opportunities_stage", "idx_ghl_opportunities_status",
                                                  "idx_ghl_orders_source", "idx_ghl_payments_source", "idx_ghl_reviews_source"]))
                #expect(indexes.filter { $0.contains("_live_") }.count == 5)
                let analyzed = try String.fetchSet(conn, sql: "SELECT idx FROM sqlite_stat1 WHERE tbl = 'ghl_opportunities'")
                #expect(analyzed.isSuperset(of: ["idx_ghl_opportunities_live_stage", "idx_ghl_opportunities_live_status"]))
            }
        }
    }

    /// v7: a record is found by its GHL id alone through the unique
    /// (source_id, id) index, one seek per source, the seed's global id
    /// indexes gone; a fresh file has the statistics that make SQLite skip-scan.
    @Test func aRecordIsFoundByItsIdAloneThroughTheUniqueIndex() async throws {
        let db = try TestDatabase()
        let a = try await db.addSource("a"), b = try await db.addSource("b")
        try await db.store.upsert(.contacts, sourceId: a, records: [record("c1", ["email": "a@example.com"]), record("c2", [:])])
        try await db.store.upsert(.contacts, sourceId: b, records: [record("c1", ["email": "b@example.com"])])
        try await db.store.pool.base.read { conn throws in
            let indexes = try String.fetchSet(conn, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
            for entity in Entity.allCases {
                #expect(!indexes.contains("idx_\(entity.table)_ghl_id"))
                let plan = try Row.fetchAll(conn, sql: "EXPLAIN QUERY PLAN SELECT * FROM \(entity.table) WHERE \(entity.idColumn) = ?",
                                            arguments: ["x"]).map { $0["detail"] as String }
                #expect(plan == ["SEARCH \(entity.table) USING INDEX sqlite_autoindex_\(entity.table)_1 (ANY(source_id) AND \(entity.idColumn)=?)"],
                        "\(plan)")
            }
            let emails = try String?.fetchAll(conn, sql: "SELECT email FROM ghl_contacts WHERE ghl_contact_id = 'c1' ORDER BY email")
            #expect(emails == ["a@example.com", "b@example.com"])
        }
    }

    /// An analyzed file keeps measured statistics: the unique indexes are
    /// analyzed rather than given the fresh file's figures.
    @Test func idsBySourceKeepAnAnalyzedFilesMeasuredStatistics() async throws {
        let rows = (0..<40).map { "('s1', 'c\($0)', '{}', '2024-01-01', '2024-01-01', '2024-01-01')" }.joined(separator: ", ")
        try await Self.upgraded(from: "v6_changelog_log", after: """
            INSERT INTO ghl_sources (id, name, location_id, api_base, created_at, updated_at)
            VALUES ('s1', 'Old', 'loc', 'https://services.leadconnectorhq.com', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');
            INSERT INTO ghl_contacts (source_id, ghl_contact_id, raw, created_at, updated_at, synced_at) VALUES \(rows);
            ANALYZE;
            """) { store in
            try store.pool.base.read { conn throws in
                let indexes = try String.fetchSet(conn, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
                #expect(!indexes.contains("idx_ghl_contacts_ghl_id"))
                let stat = try String.fetchOne(conn, sql: "SELECT stat FROM sqlite_stat1 WHERE idx = 'sqlite_autoindex_ghl_contacts_1'")
                #expect(stat == "40 40 1")
                let plan = try Row.fetchAll(conn, sql: "EXPLAIN QUERY PLAN SELECT * FROM ghl_contacts WHERE ghl_contact_id = 'c7'")
                    .map { $0["detail"] as String }
                #expect(plan == ["SEARCH ghl_contacts USING INDEX sqlite_autoindex_ghl_contacts_1 (ANY(source_id) AND ghl_contact_id=?)"])
            }
        }
    }
}
