import GHLAPI
import GHLSandbox
@testable import GHLStore
import GRDB
import Testing
import GHLJSON

/// The entity tables a sync fills, beside the sandbox collection each mirrors.
let syncedEntities: [(Entity, SandboxEntity)] = [
    (.contacts, .contacts), (.opportunities, .opportunities), (.pipelines, .pipelines),
    (.orders, .orders), (.payments, .transactions), (.reviews, .reviews),
]

/// Expects every entity table of `sourceId` to hold exactly the sandbox's records of `location`, byte for byte.
func expectTablesEqual(_ store: Store, sourceId: String, to sandbox: GHLSandbox, location: String) async throws {
    for (entity, kind) in syncedEntities {
        let expected = Dictionary(uniqueKeysWithValues: try sandbox.records(kind, location: location).map {
            ($0[kind.idKey]!.stringValue!, try JSONValue(parsing: $0.encodedString).canonicalJSON)
        })
        let stored = try await store.pool.base.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(
                db, sql: "SELECT \(entity.idColumn) AS id, raw FROM \(entity.table) WHERE deleted_at IS NULL AND source_id = ?",
                arguments: [sourceId]
            ).map { ($0["id"] as String, $0["raw"] as String) })
        }
        #expect(stored == expected, "\(entity.rawValue) of \(location) differs from the sandbox")
    }
}
