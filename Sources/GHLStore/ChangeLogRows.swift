import GRDB

/// Reads the change log's lean rows (see `Schema.createChangeLog`) as events,
/// building each payload on read: the record as it is now, or its keys when
/// it is gone (a hard delete).
///
/// An INSERT carries the record as `new`; an UPDATE the record as `new` and,
/// as `old`, the record as it was before the update (stored by the trigger,
/// as the seed's trigger sends `OLD`; a source's or sync job's UPDATE, its keys
/// `id`, `source_id`); a DELETE as `old` the row it was (a soft-deleted record,
/// back in the live set: `deleted_at` and `deleted_reason` null) or, when it
/// is gone, its keys. So on a replay (a resume, a server catching up) `new`
/// is the record as it is when read, which may be a later state than the
/// change made, while an UPDATE's `old` is exactly the state it replaced.
enum ChangeLogRows {
    /// The table codes the v6 triggers write (frozen with them).
    static let tables: [Int: String] = [
        1: "ghl_sources", 2: "ghl_sync_jobs", 3: "ghl_contacts", 4: "ghl_opportunities",
        5: "ghl_pipelines", 6: "ghl_orders", 7: "ghl_payments", 8: "ghl_reviews",
    ]

    /// The code the triggers write for `table`.
    static func code(of table: String) -> Int {
        tables.first { $0.value == table }!.key
    }

    /// The log's rows matching `condition` (on `l`, the log) in the order of
    /// its column `order`, with their payloads, as `ChangeEvent(logRow:)` reads them.
    ///
    /// One flat SELECT read in the log's own order: a subquery under an outer
    /// ORDER BY made SQLite sort every batch's payloads in a temporary b-tree
    /// (about a third of the relay's CPU). The record expression appears in
    /// both arms of one CASE, so each row builds its payload once; the keys
    /// are built only for a row without a stored `old`.
    static func select(_ db: Database, where condition: String, orderBy order: String, limit: Int? = nil) throws -> String {
        var cases: [String] = []
        for (code, table) in tables.sorted(by: { $0.key < $1.key }) {
            cases.append("WHEN \(code) THEN (SELECT \(try payload(of: table, db)) FROM \(table) r WHERE \(match(table)))")
        }
        let record = "CASE l.tbl \(cases.joined(separator: " ")) END"
        // Codes from 3 on are the record tables, whose rows a DELETE leaves in place.
        return """
            SELECT l.id, l.tbl, l.op, l.source_id, l.ts, l.seq, coalesce(l.old, json_object('id', l.key, 'source_id', l.source_id)),
                   CASE WHEN l.op = 'DELETE' AND l.tbl >= 3 THEN json_set(\(record), '$.deleted_at', NULL, '$.deleted_reason', NULL)
                        ELSE \(record) END
            FROM ghl_change_log l WHERE \(condition) ORDER BY l.\(order)\(limit.map { " LIMIT \($0)" } ?? "")
            """
    }

    /// The row a log row names. A record's rowid may be reused once it is
    /// deleted, so its source and GHL id must match too.
    private static func match(_ table: String) -> String {
        switch table {
        case "ghl_sources": "r.id = l.source_id"
        case "ghl_sync_jobs": "r.id = l.rec"
        default: "r.id = l.rec AND r.source_id = l.source_id AND r.\(AccessScope.scopedId(of: table)!) = l.key"
        }
    }

    /// The record as a JSON object; it goes to the source's viewers, so `id`
    /// is the one they may see.
    private static func payload(of table: String, _ db: Database) throws -> String {
        "json_object(" + (try db.columns(in: table)).map { column in
            let name = column.name
            if name == "id", let scoped = AccessScope.scopedId(of: table) { return "'id', r.\(scoped)" }
            return name == "raw" || name == "stages" || name == "filters" ? "'\(name)', json(r.\(name))" : "'\(name)', r.\(name)"
        }.joined(separator: ", ") + ")"
    }
}

extension ChangeEvent {
    /// A row of `ChangeLogRows.select`: column 6 is the stored `old` or, without one, the keys.
    init(logRow row: Row) {
        let operation = Operation(rawValue: row[2]) ?? .update
        let oldOrKeys: String = row[6]
        let record: String? = row[7]
        self.init(table: ChangeLogRows.tables[row[1]] ?? "", operation: operation, sourceId: row[3],
                  old: operation == .insert ? nil : operation == .update ? oldOrKeys : record ?? oldOrKeys,
                  new: operation == .delete ? nil : record ?? oldOrKeys, timestamp: row[4], seq: row[5])
    }
}
