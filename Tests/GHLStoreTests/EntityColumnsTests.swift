import Foundation
import GRDB
import Testing
@testable import GHLStore

/// The declared columns are the migrated tables' columns, so a mapped value
/// can never go to a column that does not exist (and silently be NULL).
@Suite struct EntityColumnsTests {
    /// Columns every entity table has besides its typed ones.
    static let common = ["id", "source_id", "raw", "ghl_created_at", "ghl_updated_at", "created_at", "updated_at",
                         "synced_at", "deleted_at", "deleted_reason"]

    @Test(arguments: Entity.allCases) func declaredColumnsAreTheMigratedTablesColumns(_ entity: Entity) throws {
        let db = try TestDatabase()
        let migrated = try db.store.pool.base.read { conn in
            try Row.fetchAll(conn, sql: "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", arguments: [entity.table])
                .map { ($0["name"] as String, $0["type"] as String) }
        }
        let typed = migrated.filter { !Self.common.contains($0.0) && $0.0 != entity.idColumn }
        #expect(typed.map(\.0) == entity.columns.map(\.name))
        #expect(typed.map(\.1) == entity.columns.map(\.sqlType))
        #expect(Set(migrated.map(\.0)).isSuperset(of: Self.common + [entity.idColumn]))
    }

    @Test func aRecordNamingAnUndeclaredColumnIsRefusedNotWrittenAsNull() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        await #expect(throws: StoreError.invalidInput("ghl_contacts has no column emial")) {
            try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["emial": "typo@x.test"])])
        }
        #expect(try await db.store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts") } == 0)
    }
}
