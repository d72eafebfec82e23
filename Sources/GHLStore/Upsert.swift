import Foundation
import GRDB
import GRDBSQLite

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
    /// `each` with the record's index after each, and returns how many rows it
    /// wrote. This loop runs for every record a sync writes, so the values are
    /// bound straight to SQLite (`StatementBinding`) rather than built into
    /// `StatementArguments`; GRDB still runs each statement, so a cancelled
    /// write, a failure and SQLite's own rollback go through its bookkeeping.
    /// GRDB is told once that the statement's arguments are bound (placeholders
    /// that every record then replaces).
    private static func execute(_ sql: String, _ entity: Entity, sourceId: String, records: [EntityRecord], now: String,
                                in db: Database, each: (Int) throws -> Void) throws -> Int {
        guard !records.isEmpty else { return 0 }
        let statement = try db.cachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        let columns = entity.columns
        let last = Int32(columns.count + 3)
        statement.setUncheckedArguments(StatementArguments(Array(repeating: DatabaseValue.null, count: Int(last + 3))))
        var written = 0
        for index in records.indices {
            let record = records[index]
            sqlite3_reset(handle)  // a stepped statement takes no bindings
            // SQLITE_OK is 0: a bind that failed leaves `code` non-zero, and the record is not written.
            var code = StatementBinding.bind(sourceId, at: 1, in: handle)
            code |= StatementBinding.bind(record.ghlId, at: 2, in: handle)
            if case .ordered(let mapped, let values) = record.columns, mapped == entity {
                for (offset, value) in values.enumerated() { code |= StatementBinding.bind(value, at: Int32(offset + 3), in: handle) }
            } else {
                for (offset, value) in try namedColumns(of: record, entity: entity, columns: columns).enumerated() {
                    code |= StatementBinding.bind(value, at: Int32(offset + 3), in: handle)
                }
            }
            code |= StatementBinding.bind(record.raw, at: last, in: handle)
            code |= StatementBinding.bind(record.ghlCreatedAt, at: last + 1, in: handle)
            code |= StatementBinding.bind(record.ghlUpdatedAt, at: last + 2, in: handle)
            code |= StatementBinding.bind(now, at: last + 3, in: handle)
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
            }
            try statement.execute()
            written += db.changesCount
            try each(index)
        }
        return written
    }

    /// The typed values of a record given by column name, in column order;
    /// missing ones are NULL, and a name the entity lacks is refused.
    private static func namedColumns(of record: EntityRecord, entity: Entity, columns: [EntityColumn]) throws -> [StoreValue] {
        let named = record.values
        let values = columns.map { named[$0.name] ?? .null }
        guard named.keys.allSatisfy({ name in columns.contains { $0.name == name } }) else {
            let unknown = Set(named.keys).subtracting(columns.map(\.name)).sorted()
            throw StoreError.invalidInput("\(entity.table) has no column \(unknown.joined(separator: ", "))")
        }
        return values
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
