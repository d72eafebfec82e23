import Foundation
import GHLStore
import PostgresNIO

/// Sources' filters on PostgreSQL. Stored rows are judged by the same Swift
/// code as records arriving from GHL (`SyncFilter.keeps`): the rows' filter
/// fields are read, and the ids the filter excludes marked out of scope.
extension PostgresStore: SyncStore {
    public func setFilter(_ filter: SyncFilter?, sourceId: String,
                          check: @escaping @Sendable (_ leaseHolder: String?) throws -> Void) async throws -> FilterChange {
        try filter?.validate()
        let text = try filter?.storedText()
        return try await transaction { connection in
            try await lock("lease", sourceId, on: connection)
            var holder: String?
            let leases = try await connection.query("SELECT owner, heartbeat_at FROM sync_leases WHERE source_id = \(sourceId)", logger: logger)
            for try await (owner, heartbeat) in leases.decode((String, Date).self) {
                holder = SourceLease.holding(owner, heartbeat: heartbeat, at: Date(), staleAfter: SourceLease.defaultStaleAfter)
            }
            try check(holder)
            try await connection.query("UPDATE ghl_sources SET filters = \(text), updated_at = now() WHERE id = \(sourceId)", logger: logger)
            guard let source = try await sources(where: "id = $1", [sourceId], on: connection).first else {
                throw StoreError.unknownSource(sourceId)
            }
            var marked: [Entity: Int] = [:]
            if let filter {
                for entity in Entity.allCases {
                    let ids = try await excluded(entity, by: filter, sourceId: sourceId, where: "true", on: connection)
                    marked[entity] = try await markOutOfScope(entity, sourceId: sourceId, ids: ids, on: connection)
                }
            }
            try await connection.query("DELETE FROM sync_cursors WHERE source_id = \(sourceId)", logger: logger)
            return FilterChange(source: source, markedOutOfScope: marked)
        }
    }

    /// The GHL ids of the live rows of `entity` (alias `t`) matching
    /// `condition` whose stored state `filter` excludes.
    func excluded(_ entity: Entity, by filter: SyncFilter, sourceId: String, where condition: String,
                  on connection: PostgresConnection) async throws -> [String] {
        guard !filter.keepsAll(entity) else { return [] }
        let pipeline = entity == .opportunities ? "t.pipeline_id" : entity == .pipelines ? "t.\(entity.idColumn)" : "NULL"
        let status = entity == .opportunities ? "t.status" : "NULL"
        let tags = entity == .contacts ? "t.tags::text" : "NULL"
        let fields = entity == .contacts && filter.testsCustomFields ? "(t.raw -> 'customFields')::text" : "NULL"
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT t.\(entity.idColumn), \(Self.timestampText("t.ghl_created_at")), \(Self.timestampText("t.ghl_updated_at")),
                   \(pipeline)::text, \(status)::text, \(tags)::text, \(fields)::text
            FROM \(entity.table) AS t WHERE t.source_id = $1 AND t.deleted_at IS NULL AND \(condition)
            """, binds: Self.bindings(sourceId)), logger: logger)
        var ids: [String] = []
        for try await (id, created, updated, pipelineId, status, tags, fields)
            in rows.decode((String, String?, String?, String?, String?, String?, String?).self) {
            let subject = FilterSubject(createdAt: created, updatedAt: updated, pipelineId: pipelineId, status: status,
                                        tags: FilterSubject.strings(json: tags), customFields: FilterSubject.customFields(json: fields))
            if !filter.keeps(entity, subject) { ids.append(id) }
        }
        return ids
    }
}
