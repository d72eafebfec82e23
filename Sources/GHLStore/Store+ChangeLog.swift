import GRDB

/// How far back the file's change log reaches: rows older than `maxAge` or
/// beyond the newest `maxRows` are pruned.
public struct ChangeLogBounds: Sendable, Equatable {
    public var maxAgeSeconds: Int
    public var maxRows: Int

    public init(maxAgeSeconds: Int = 72 * 3600, maxRows: Int = 1_000_000) {
        self.maxAgeSeconds = maxAgeSeconds
        self.maxRows = maxRows
    }
}

/// The change log's state, for `ghlsync status`.
public struct ChangeLogStatus: Sendable {
    public var bounds: ChangeLogBounds
    public var rows: Int
    public var oldest: String?
    public var newest: String?
}

/// Where a server starts from: the log's last rows (to warm its cache) and
/// every topic's last seq, read in one snapshot, and the last row's id.
public struct ChangeLogSnapshot: Sendable {
    public var recent: [ChangeEvent]
    public var lastSeqs: [String: Int64]
    public var lastID: Int64
}

extension Store {
    /// The last `recent` rows of the log and every topic's last seq, as of one snapshot.
    public func changeLogSnapshot(recent: Int) throws -> ChangeLogSnapshot {
        try pool.read { db in
            let lastID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ghl_change_log") ?? 0
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, tbl, op, source_id, old, new, ts, seq FROM ghl_change_log WHERE id > ? ORDER BY id
                """, arguments: [lastID - Int64(recent)])
            var events: [ChangeEvent] = []
            while let row = try rows.next() { events.append(ChangeEvent(row: row)) }
            let seqs = try Row.fetchAll(db, sql: "SELECT source_id, last_seq FROM ghl_change_topics")
            return ChangeLogSnapshot(recent: events, lastSeqs: Dictionary(uniqueKeysWithValues: seqs.map { ($0[0], $0[1]) }),
                                     lastID: lastID)
        }
    }

    /// The logged changes of `sourceId` with seqs in `after+1 ... through`, in
    /// order, or nil when the log no longer holds the first of them.
    public func loggedChanges(of sourceId: String, after: Int64, through: Int64) throws -> [ChangeEvent]? {
        guard after < through else { return [] }
        return try pool.read { db in
            var events: [ChangeEvent] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, tbl, op, source_id, old, new, ts, seq FROM ghl_change_log
                WHERE source_id = ? AND seq > ? AND seq <= ? ORDER BY seq
                """, arguments: [sourceId, after, through])
            while let row = try rows.next() { events.append(ChangeEvent(row: row)) }
            return events.first?.seq == after + 1 ? events : nil
        }
    }

    public func changeLogBounds() throws -> ChangeLogBounds {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT max_age_seconds, max_rows FROM ghl_change_log_bounds WHERE id = 1")
            return row.map { ChangeLogBounds(maxAgeSeconds: $0[0], maxRows: $0[1]) } ?? ChangeLogBounds()
        }
    }

    /// Stores the bounds every `serve` on the file prunes the log to.
    public func setChangeLogBounds(_ bounds: ChangeLogBounds) throws {
        guard bounds.maxAgeSeconds > 0, bounds.maxRows > 0 else {
            throw StoreError.invalidInput("the change log's age and size bounds must be positive")
        }
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO ghl_change_log_bounds (id, max_age_seconds, max_rows) VALUES (1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET max_age_seconds = excluded.max_age_seconds, max_rows = excluded.max_rows
                """, arguments: [bounds.maxAgeSeconds, bounds.maxRows])
        }
    }

    public func changeLogStatus() throws -> ChangeLogStatus {
        let bounds = try changeLogBounds()
        return try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), (SELECT ts FROM ghl_change_log ORDER BY id LIMIT 1),
                       (SELECT ts FROM ghl_change_log ORDER BY id DESC LIMIT 1) FROM ghl_change_log
                """)!
            return ChangeLogStatus(bounds: bounds, rows: row[0], oldest: row[1], newest: row[2])
        }
    }

    /// Deletes the log's rows past its bounds, oldest first, looking at `batch`
    /// rows per write transaction so other writers wait for no long lock (rows
    /// age in id order, so those past the bounds are a prefix); the newest row
    /// always stays (its id is where the next row's follows). Returns how many went.
    @discardableResult
    public func pruneChangeLog(batch: Int = 2_000) throws -> Int {
        let bounds = try changeLogBounds()
        var pruned = 0
        while true {
            let deleted = try pool.write { db in
                try db.execute(sql: """
                    DELETE FROM ghl_change_log WHERE id IN (
                        SELECT id FROM (SELECT id, ts FROM ghl_change_log ORDER BY id LIMIT ?)
                        WHERE id < (SELECT max(id) FROM ghl_change_log)
                          AND (id <= (SELECT max(id) FROM ghl_change_log) - ?
                               OR ts < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)))
                    """, arguments: [batch, bounds.maxRows, "-\(bounds.maxAgeSeconds) seconds"])
                return db.changesCount
            }
            pruned += deleted
            if deleted < batch { return pruned }
        }
    }

    /// Removes the triggers that write the change log. For a scratch file only
    /// (the sync benchmark's capture-off baseline): no `serve` hears of its writes after this.
    public func dropChangeLogTriggers() throws {
        try pool.write { db in
            for table in ChangeCapture.tables {
                for op in ChangeCapture.operations {
                    try db.execute(sql: "DROP TRIGGER IF EXISTS \(ChangeCapture.triggerName(table, op))")
                }
            }
        }
    }
}
