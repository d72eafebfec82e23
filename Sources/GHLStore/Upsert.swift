import Foundation
import GRDB

extension Store {
    /// Upserts one page of records of a source in one transaction and returns
    /// how many rows it wrote (inserted, changed, or revived after a soft delete).
    ///
    /// An unchanged record (same canonical `raw`, not deleted) writes nothing,
    /// so it bumps no timestamp and broadcasts no change. A soft-deleted row
    /// (GHL deleted it, or a filter had put it out of scope) is revived even
    /// when its `raw` is unchanged. A record naming a column its entity does
    /// not declare (`Entity.columns`) is refused, not written as NULL.
    @discardableResult
    public func upsert(_ entity: Entity, sourceId: String, records: [EntityRecord], at date: Date = Date()) async throws -> Int {
        try await pool.write { db in try Self.upsert(entity, sourceId: sourceId, records: records, at: date, in: db) }
    }

    /// The same, inside a transaction the store already holds (a sync page, a
    /// webhook delivery with its receipt). With `rowsNew` (the records are
    /// expected to be new rows) and a table that logs its INSERTs by trigger,
    /// the new rows are logged in one statement (`insertLoggingOnce`); a
    /// record whose row exists then costs a second statement, so without it
    /// every record goes through the triggers.
    @discardableResult
    static func upsert(_ entity: Entity, sourceId: String, records: [EntityRecord], at date: Date = Date(), rowsNew: Bool = false,
                       in db: Database) throws -> Int {
        guard !records.isEmpty else { return 0 }
        let now = Timestamp.string(date)
        do {
            guard rowsNew, records.count > 1, try ChangeLogBatch.logsInserts(of: entity, in: db) else {
                return try execute(upsertSQL(entity), entity, sourceId: sourceId, records: records, now: now, in: db) { _ in }
            }
            return try insertLoggingOnce(entity, sourceId: sourceId, records: records, now: now, in: db)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT
            && error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw StoreError.unknownSource(sourceId)
        }
    }

    /// Writes the records whose rows are new with the connection's triggers
    /// off and logs those INSERTs in one statement, as the INSERT trigger
    /// would each; then upserts the others (updates, revivals, a record a
    /// second time) with the triggers on, so their UPDATE triggers log them
    /// with `old` and the rules the triggers define. A page's new records are
    /// logged first, then its updates; each record's changes stay in order.
    private static func insertLoggingOnce(_ entity: Entity, sourceId: String, records: [EntityRecord], now: String,
                                          in db: Database) throws -> Int {
        var inserted: [Int64] = []
        var existing: [EntityRecord] = []
        let written = try ChangeLogBatch.withoutTriggers(db) {
            try execute(insertNewSQL(entity), entity, sourceId: sourceId, records: records, now: now, in: db) { index in
                if db.changesCount > 0 { inserted.append(db.lastInsertedRowID) } else { existing.append(records[index]) }
            }
        }
        try ChangeLogBatch.logInserts(of: entity, sourceId: sourceId, rowids: inserted, in: db)
        return try written + execute(upsertSQL(entity), entity, sourceId: sourceId, records: existing, now: now, in: db) { _ in }
    }

    /// Runs `sql` (an INSERT of the record's columns) once per record, calling
    /// `each` with the record's index after each, and returns how many rows it wrote.
    private static func execute(_ sql: String, _ entity: Entity, sourceId: String, records: [EntityRecord], now: String,
                                in db: Database, each: (Int) throws -> Void) throws -> Int {
        guard !records.isEmpty else { return 0 }
        let statement = try db.cachedStatement(sql: sql)
        let columns = entity.columns
        var written = 0
        var values: [DatabaseValue] = []
        values.reserveCapacity(columns.count + 6)
        for index in records.indices {
            let record = records[index]
            values.removeAll(keepingCapacity: true)
            values.append(sourceId.databaseValue)
            values.append(record.ghlId.databaseValue)
            try appendColumns(of: record, to: &values, entity: entity, columns: columns)
            values.append(record.raw.databaseValue)
            values.append(record.ghlCreatedAt.databaseValue)
            values.append(record.ghlUpdatedAt.databaseValue)
            values.append(now.databaseValue)
            statement.setUncheckedArguments(StatementArguments(values))
            try statement.execute()
            written += db.changesCount
            try each(index)
        }
        return written
    }

    /// The record's typed values in column order: as they are when the sync
    /// mapped them for this entity, looked up by name otherwise.
    private static func appendColumns(of record: EntityRecord, to values: inout [DatabaseValue], entity: Entity,
                                      columns: [EntityColumn]) throws {
        if case .ordered(let mapped, let ordered) = record.columns, mapped == entity {
            for value in ordered { values.append(value.databaseValue) }
            return
        }
        let named = record.values
        var found = 0
        for column in columns {
            if let value = named[column.name] {
                values.append(value.databaseValue)
                found += 1
            } else {
                values.append(.null)
            }
        }
        guard found == named.count else {
            let unknown = Set(named.keys).subtracting(columns.map(\.name)).sorted()
            throw StoreError.invalidInput("\(entity.table) has no column \(unknown.joined(separator: ", "))")
        }
    }

    private static func upsertSQL(_ entity: Entity) -> String {
        let typed = entity.columns.map(\.name)
        let t = entity.table
        return insertSQL(entity) + """

            ON CONFLICT (source_id, \(entity.idColumn)) DO UPDATE SET
                \((typed + ["raw", "ghl_created_at", "ghl_updated_at"]).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
                updated_at = excluded.updated_at, synced_at = excluded.synced_at, deleted_at = NULL, deleted_reason = NULL
            WHERE \(t).raw IS NOT excluded.raw OR \(t).deleted_at IS NOT NULL
            """
    }

    /// The same INSERT, writing nothing for a record whose row exists.
    private static func insertNewSQL(_ entity: Entity) -> String {
        insertSQL(entity) + " ON CONFLICT (source_id, \(entity.idColumn)) DO NOTHING"
    }

    private static func insertSQL(_ entity: Entity) -> String {
        let columns = ["source_id", entity.idColumn] + entity.columns.map(\.name) + ["raw", "ghl_created_at", "ghl_updated_at"]
        let now = "?\(columns.count + 1)"
        return """
            INSERT INTO \(entity.table) (\(columns.joined(separator: ", ")), created_at, updated_at, synced_at)
            VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")), \(now), \(now), \(now))
            """
    }
}
