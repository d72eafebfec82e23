import Foundation
import GHLJSON
import GRDB

extension Source {
    /// The source's sync filter; nil when it keeps everything.
    public func syncFilter() throws -> SyncFilter? {
        guard let filters else { return nil }
        do {
            return try JSONDecoder().decode(SyncFilter.self, from: Data(filters.utf8))
        } catch {
            throw StoreError.invalidInput("source \(name) has an unreadable filter (\(error)); set it again")
        }
    }
}

/// What changing a filter did.
public struct FilterChange: Sendable, Equatable {
    public var source: Source
    /// Rows newly marked out of scope, per entity.
    public var markedOutOfScope: [Entity: Int]

    public init(source: Source, markedOutOfScope: [Entity: Int]) {
        self.source = source
        self.markedOutOfScope = markedOutOfScope
    }
}

extension Store {
    /// Saves a source's filter (nil clears it) and, in the same transaction,
    /// marks the stored rows it excludes out of scope and forgets the source's
    /// sync cursors, so the next run lists everything under the new filter
    /// (rows it now includes come back then, even in incremental mode).
    ///
    /// - Parameter check: runs first inside the transaction with the owner of
    ///   the source's live lease (nil when none); throwing from it changes
    ///   nothing (the sync engine refuses while a run holds the source).
    public func setFilter(_ filter: SyncFilter?, sourceId: String, check: @Sendable (_ leaseHolder: String?) throws -> Void = { _ in }) async throws -> FilterChange {
        try filter?.validate()
        let text = try filter?.storedText()
        return try await pool.write { db in
            try check(SourceLease.holder(of: sourceId, at: Date(), staleAfter: SourceLease.defaultStaleAfter, in: db))
            guard var source = try Source.fetchOne(db, key: sourceId) else { throw StoreError.unknownSource(sourceId) }
            source.filters = text
            source.updatedAt = Timestamp.string()
            try source.update(db)
            var marked: [Entity: Int] = [:]
            if let filter {
                for entity in Entity.allCases {
                    marked[entity] = try Self.markOutOfScope(entity, sourceId: sourceId, by: filter, in: db)
                }
            }
            try db.execute(sql: "DELETE FROM sync_cursors WHERE source_id = ?", arguments: [sourceId])
            return FilterChange(source: source, markedOutOfScope: marked)
        }
    }

    /// Marks the live rows of `entity` that `filter` excludes out of scope;
    /// returns how many.
    @discardableResult
    static func markOutOfScope(_ entity: Entity, sourceId: String, by filter: SyncFilter, at date: Date = Date(),
                                      in db: Database) throws -> Int {
        guard !filter.keepsAll(entity) else { return 0 }
        return try filter.withScopeSQL(entity, in: db) { inScope in
            try db.execute(sql: """
                UPDATE \(entity.table) SET deleted_at = ?1, updated_at = ?1, deleted_reason = 'out_of_scope'
                WHERE source_id = ?2 AND deleted_at IS NULL AND NOT \(inScope)
                """, arguments: [Timestamp.string(date), sourceId])
            return db.changesCount
        }
    }

    /// Marks the live rows with these GHL ids out of scope: records GHL
    /// returned that the filter excludes now (their changes made them leave it).
    @discardableResult
    static func markOutOfScope(_ entity: Entity, sourceId: String, ids: [String], at date: Date = Date(),
                                      in db: Database) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let statement = try db.cachedStatement(sql: """
            UPDATE \(entity.table) SET deleted_at = ?1, updated_at = ?1, deleted_reason = 'out_of_scope'
            WHERE source_id = ?2 AND \(entity.idColumn) = ?3 AND deleted_at IS NULL
            """)
        let now = Timestamp.string(date)
        var marked = 0
        for id in ids {
            try statement.execute(arguments: [now, sourceId, id])
            marked += db.changesCount
        }
        return marked
    }

}

extension SyncFilter {
    /// The text `ghl_sources.filters` keeps (`Source.syncFilter()` reads it back).
    public func storedText() throws -> String {
        String(decoding: try Self.storedEncoder.encode(self), as: UTF8.self)
    }

    private static let storedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// Runs `body` with an SQL expression, true for the rows of `entity`'s
    /// table this filter keeps. The expression calls a function registered on
    /// `db` for the duration, so stored rows are judged by the same code as
    /// records arriving from GHL.
    func withScopeSQL<T>(_ entity: Entity, in db: Database, _ body: (String) throws -> T) throws -> T {
        if keepsAll(entity) { return try body("1") }
        let filter = self
        let function = DatabaseFunction("ghlsync_in_scope", argumentCount: 6, pure: true) { values in
            func text(_ index: Int) -> String? { String.fromDatabaseValue(values[index]) }
            let record = FilterSubject(createdAt: text(0), updatedAt: text(1), pipelineId: text(2), status: text(3),
                                       tags: FilterSubject.strings(json: text(4)), customFields: FilterSubject.customFields(json: text(5)))
            return filter.keeps(entity, record)
        }
        db.add(function: function)
        defer { db.remove(function: function) }
        let pipeline = entity == .opportunities ? "pipeline_id" : entity == .pipelines ? entity.idColumn : "NULL"
        let status = entity == .opportunities ? "status" : "NULL"
        let tags = entity == .contacts ? "tags" : "NULL"
        let fields = entity == .contacts && testsCustomFields ? "json_extract(raw, '$.customFields')" : "NULL"
        return try body("ghlsync_in_scope(ghl_created_at, ghl_updated_at, \(pipeline), \(status), \(tags), \(fields))")
    }
}

extension FilterSubject {
    /// A JSON array's strings (a row's `tags`).
    public static func strings(json: String?) -> [String] {
        guard let json, let array = (try? JSONValue(parsing: json))?.arrayValue else { return [] }
        return array.compactMap(\.stringValue)
    }

    /// GHL's `customFields`: `[{"id", "value"}]`, a value being text, a number or a list.
    public static func customFields(json: String?) -> [String: [String]] {
        guard let json, let array = (try? JSONValue(parsing: json))?.arrayValue else { return [:] }
        var fields: [String: [String]] = [:]
        for item in array {
            guard let id = item["id"]?.stringValue, let value = item["value"] else { continue }
            fields[id, default: []] += (value.arrayValue ?? [value]).compactMap { value in
                switch value {
                case .string(let text): text
                case .number: value.canonicalJSON
                default: nil
                }
            }
        }
        return fields
    }
}
