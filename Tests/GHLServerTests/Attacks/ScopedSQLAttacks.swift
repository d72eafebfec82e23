import Foundation
import GHLStore
import GRDB
import Testing

/// `ghlsync query --as` (and every user-facing read under it): SQL written by
/// A's viewer to learn anything of B. `B` in a statement stands for B's id.
@Suite struct ScopedSQLAttacks {
    struct Attack: Sendable {
        var name: String
        var sql: String
        /// The issue reproduced these answering; they must now be refused outright.
        var refused: Bool
    }

    static func refused(_ name: String, _ sql: String) -> Attack { Attack(name: name, sql: sql, refused: true) }
    static func answered(_ name: String, _ sql: String) -> Attack { Attack(name: name, sql: sql, refused: false) }

    static let attacks: [Attack] = [
        refused("count the users", "SELECT count(*) FROM users"),
        refused("probe sessions without a column", "SELECT 1 FROM auth_sessions"),
        refused("count webhook receipts", "SELECT count(*) FROM webhook_receipts"),
        refused("count sync cursors (B's included)", "SELECT count(*) FROM sync_cursors"),
        refused("count the schema", "SELECT count(*) FROM sqlite_master"),
        refused("count sync_seen", "SELECT count(*) FROM sync_seen"),
        refused("count sync leases", "SELECT count(*) FROM sync_leases"),
        refused("read the grants version", "SELECT count(*) FROM auth_grants_version"),
        refused("exists over users", "SELECT EXISTS (SELECT 1 FROM users)"),
        refused("IN over sessions", "SELECT 1 WHERE 1 IN (SELECT 1 FROM auth_sessions)"),
        refused("order by a count of users", "SELECT source_id FROM ghl_contacts ORDER BY (SELECT count(*) FROM users)"),
        refused("cross join users", "SELECT c.source_id FROM ghl_contacts c, users u"),
        refused("max rowid of users", "SELECT max(rowid) FROM users"),
        refused("password hashes", "SELECT password_hash FROM users"),
        refused("main-qualified count", "SELECT count(*) FROM main.ghl_contacts"),
        refused("main-qualified grants", "SELECT * FROM main.user_sources"),
        refused("main-qualified max id", "SELECT (SELECT max(id) FROM main.ghl_contacts)"),
        refused("AUTOINCREMENT counters", "SELECT * FROM sqlite_sequence"),
        refused("count AUTOINCREMENT counters", "SELECT count(*) FROM sqlite_sequence"),
        refused("temp schema names", "SELECT name FROM temp.sqlite_master"),
        refused("pragma table function", "SELECT * FROM pragma_table_info('users')"),
        refused("pragma index list count", "SELECT count(*) FROM pragma_index_list('ghl_contacts')"),
        refused("page counts", "SELECT * FROM pragma_page_count()"),
        refused("dbstat page census", "SELECT count(*) FROM dbstat"),
        refused("CTE posing as a scoped table", "WITH ghl_contacts AS (SELECT * FROM main.ghl_contacts) SELECT count(*) FROM ghl_contacts"),
        refused("CTE named like a hidden table", "WITH users AS (SELECT 1) SELECT count(*) FROM users"),
        refused("row offsets in the file", "SELECT sqlite_offset(email) FROM ghl_contacts"),
        refused("load an extension", "SELECT load_extension('/tmp/x')"),
        refused("name the internal views", "SELECT * FROM ghlsync_scope_x_ghl_contacts"),
        refused("pragma statement", "PRAGMA table_list"),
        refused("explain a hidden table", "EXPLAIN SELECT * FROM users"),
        refused("second statement", "SELECT 1; SELECT count(*) FROM users"),
        refused("attach the file again", "ATTACH DATABASE 'x.sqlite' AS copy"),
        refused("write", "DELETE FROM ghl_contacts"),
        refused("index hint on users", "SELECT count(*) FROM users INDEXED BY sqlite_autoindex_users_1"),
        refused("receipts of no source", "SELECT count(*) FROM webhook_receipts WHERE source_id IS NULL"),
        answered("contact ids", "SELECT id FROM ghl_contacts ORDER BY id"),
        answered("job ids", "SELECT id FROM ghl_sync_jobs ORDER BY id"),
        answered("the latest job id", "SELECT max(job_id) FROM v_ghl_sync_status"),
        answered("sync status", "SELECT source_id, entity, job_id, status FROM v_ghl_sync_status"),
        answered("B by name", "SELECT count(*) FROM ghl_contacts WHERE source_id = 'B'"),
        answered("rowid aliases", "SELECT rowid, _rowid_, oid FROM ghl_contacts"),
        answered("own grants", "SELECT * FROM user_sources"),
        answered("sources", "SELECT id, name, location_id, currency FROM ghl_sources"),
        answered("sources matching anything", "SELECT * FROM ghl_sources WHERE id LIKE '%'"),
        answered("contact count", "SELECT count(*) FROM ghl_contacts"),
        answered("temp-qualified count", "SELECT count(*) FROM temp.ghl_contacts"),
        answered("dashboard", "SELECT * FROM v_ghl_dashboard_summary"),
        answered("connection counters", "SELECT last_insert_rowid(), changes(), total_changes()"),
        answered("raw JSON unrolled", "SELECT count(*) FROM ghl_contacts, json_each(ghl_contacts.raw)"),
        answered("recursive CTE join", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT count(*) FROM n, ghl_contacts"),
        answered("union with sources", "SELECT source_id FROM ghl_orders UNION SELECT id FROM ghl_sources"),
        answered("stage summary", "SELECT * FROM v_ghl_pipeline_stage_summary"),
        answered("revenue", "SELECT * FROM v_ghl_revenue_summary"),
        answered("reviews summary", "SELECT * FROM v_ghl_reviews_summary"),
        answered("recent contacts of B", "SELECT * FROM v_ghl_contacts_recent WHERE source_id = 'B'"),
        answered("every raw, hex", "SELECT hex(group_concat(raw)) FROM ghl_contacts"),
        answered("jobs of B by id range", "SELECT count(*) FROM ghl_sync_jobs WHERE id > 0"),
    ]

    /// Each attack's answer (or refusal), as text, under A's viewer's scope (`query --as`'s).
    static func answers(_ fixture: AttackFixture) async throws -> [String] {
        let reader = ScopedReader(store: fixture.base.store)
        let scope = try await fixture.base.auth.accounts.store.accessScope(of: fixture.viewerId)
        return attacks.map { attack in
            let sql = attack.sql.replacingOccurrences(of: "'B'", with: "'\(fixture.b)'")
            do {
                let rows = try reader.fetchNow(sql, scope: scope)
                return "\(rows.columns) \(rows.rows)"
            } catch let error as StoreError {
                return "refused: \(error)"
            } catch {
                return "error: \(error)"
            }
        }
    }

    @Test func nothingOfTheOtherSourceReachesAScopedQuery() async throws {
        let fixture = try await AttackFixture()
        defer { fixture.base.remove() }
        #expect(Set(Self.attacks.map(\.name)).count == Self.attacks.count)
        let before = try await Self.answers(fixture)
        try await fixture.bActivity()
        let after = try await Self.answers(fixture)
        let scope = try await fixture.base.auth.accounts.store.accessScope(of: fixture.viewerId)
        let reader = ScopedReader(store: fixture.base.store)
        for (index, attack) in Self.attacks.enumerated() {
            #expect(!before[index].hasPrefix("error:"), "\(attack.name): \(before[index])")
            if attack.refused {
                #expect(before[index].hasPrefix("refused:"), "\(attack.name) answered: \(before[index])")
            }
            #expect(fixture.leaks(before[index] + after[index], request: attack.sql).isEmpty, "\(attack.name) leaks: \(after[index])")
            #expect(before[index] == after[index], "\(attack.name) changes with B's activity: \(before[index]) -> \(after[index])")
        }
        // The reader still answers normally.
        let contacts = try reader.fetchNow("SELECT ghl_contact_id FROM ghl_contacts ORDER BY 1", scope: scope)
        #expect(contacts.rows == [["a1".databaseValue], ["a2".databaseValue], ["a3".databaseValue]])
    }
}
