import GRDB

/// How far back the file's change log reaches: rows older than `maxAge`,
/// beyond the newest `maxRows`, or past `maxBytes` of the file are pruned.
public struct ChangeLogBounds: Sendable, Equatable {
    public var maxAgeSeconds: Int
    public var maxRows: Int
    /// Bytes of the file the log's rows and index take (payloads are not
    /// stored, but for an UPDATE's old record).
    public var maxBytes: Int

    public init(maxAgeSeconds: Int = 72 * 3600, maxRows: Int = 1_000_000, maxBytes: Int = 256 << 20) {
        self.maxAgeSeconds = maxAgeSeconds
        self.maxRows = maxRows
        self.maxBytes = maxBytes
    }
}

/// The change log's state, for `ghlsync status`.
public struct ChangeLogStatus: Sendable {
    public var bounds: ChangeLogBounds
    public var rows: Int
    /// About how many bytes of the file the log takes (see `bytesPerRow`).
    public var bytes: Int
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
    public func changeLogSnapshot(recent: Int) async throws -> ChangeLogSnapshot {
        try await pool.read { db in
            let lastID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ghl_change_log") ?? 0
            let rows = try Row.fetchCursor(db, sql: ChangeLogRows.select(db, where: "l.id > ?", orderBy: "id"),
                                           arguments: [lastID - Int64(recent)])
            var events: [ChangeEvent] = []
            while let row = try rows.next() { events.append(ChangeEvent(logRow: row)) }
            // Each topic's last seq, one index probe per topic: the recursion
            // steps from one source_id of the topic index to the next.
            let seqs = try Row.fetchAll(db, sql: """
                WITH RECURSIVE topic(source_id) AS (
                    SELECT min(source_id) FROM ghl_change_log
                    UNION ALL
                    SELECT (SELECT min(source_id) FROM ghl_change_log WHERE source_id > topic.source_id)
                    FROM topic WHERE topic.source_id IS NOT NULL)
                SELECT source_id, (SELECT max(seq) FROM ghl_change_log l WHERE l.source_id = topic.source_id)
                FROM topic WHERE source_id IS NOT NULL
                """)
            return ChangeLogSnapshot(recent: events, lastSeqs: Dictionary(uniqueKeysWithValues: seqs.map { ($0[0], $0[1]) }),
                                     lastID: lastID)
        }
    }

    /// The logged changes of `sourceId` with seqs in `after+1 ... through`, in
    /// order, at most `limit` of them, or nil when the log no longer holds the first.
    ///
    /// The one synchronous read that may run inside a task: the realtime bus
    /// reads a resume's history under its lock, which cannot await. It reads
    /// one index range on a connection of its own (`HistoryReader`), never
    /// one of the pool's readers, and holds no other connection.
    public func loggedChanges(of sourceId: String, after: Int64, through: Int64, limit: Int? = nil) throws -> [ChangeEvent]? {
        guard after < through else { return [] }
        return try history.read { db in
            var events: [ChangeEvent] = []
            let rows = try Row.fetchCursor(db, sql: ChangeLogRows.select(db, where: "l.source_id = ? AND l.seq > ? AND l.seq <= ?",
                                                                         orderBy: "seq", limit: limit),
                                           arguments: [sourceId, after, through])
            while let row = try rows.next() { events.append(ChangeEvent(logRow: row)) }
            return events.first?.seq == after + 1 ? events : nil
        }
    }

    public func changeLogBounds() async throws -> ChangeLogBounds {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT max_age_seconds, max_rows, max_bytes FROM ghl_change_log_bounds WHERE id = 1")
            return row.map { ChangeLogBounds(maxAgeSeconds: $0[0], maxRows: $0[1], maxBytes: $0[2]) } ?? ChangeLogBounds()
        }
    }

    /// Stores the bounds every `serve` on the file prunes the log to.
    public func setChangeLogBounds(_ bounds: ChangeLogBounds) async throws {
        guard bounds.maxAgeSeconds > 0, bounds.maxRows > 0, bounds.maxBytes > 0 else {
            throw StoreError.invalidInput("the change log's age and size bounds must be positive")
        }
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO ghl_change_log_bounds (id, max_age_seconds, max_rows, max_bytes) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET max_age_seconds = excluded.max_age_seconds, max_rows = excluded.max_rows,
                    max_bytes = excluded.max_bytes
                """, arguments: [bounds.maxAgeSeconds, bounds.maxRows, bounds.maxBytes])
        }
    }

    public func changeLogStatus() async throws -> ChangeLogStatus {
        let bounds = try await changeLogBounds()
        return try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), (SELECT ts FROM ghl_change_log ORDER BY id LIMIT 1),
                       (SELECT ts FROM ghl_change_log ORDER BY id DESC LIMIT 1) FROM ghl_change_log
                """)!
            let rows: Int = row[0]
            return ChangeLogStatus(bounds: bounds, rows: rows, bytes: rows * (try Self.bytesPerRow(db)), oldest: row[1], newest: row[2])
        }
    }

    /// About how many bytes of the file a log row takes, with its entry in
    /// the topic index: the newest thousand rows' columns, averaged, plus
    /// SQLite's overhead per row. Cheap enough to ask every prune.
    private static func bytesPerRow(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT coalesce(avg(2 * length(source_id) + length(key) + length(op) + length(ts) + coalesce(length(old), 0)), 0) + 32
            FROM (SELECT source_id, key, op, ts, old FROM ghl_change_log ORDER BY id DESC LIMIT 1000)
            """) ?? 32
    }

    /// Deletes the log's rows past its bounds, oldest first, looking at `batch`
    /// rows per write transaction so other writers wait for no long lock (rows
    /// age in id order, so those past the bounds are a prefix). Each topic's
    /// newest row stays: the next seq of the topic follows it (see
    /// `Schema.createChangeLog`), and the log's newest id, which the next row's
    /// follows, is one of them. Returns how many went.
    @discardableResult
    public func pruneChangeLog(batch: Int = 2_000) async throws -> Int {
        let bounds = try await changeLogBounds()
        let maxRows = min(bounds.maxRows, bounds.maxBytes / (try await pool.read { try Self.bytesPerRow($0) }))
        var pruned = 0
        var after: Int64 = 0
        while true {
            let step = try await pool.write { [after] db in
                // The last of the next `batch` rows past the bounds, and whether all of them are.
                let row = try Row.fetchOne(db, sql: """
                    SELECT max(id), count(*) FROM (SELECT id, ts FROM ghl_change_log WHERE id > ? ORDER BY id LIMIT ?)
                    WHERE id <= (SELECT max(id) FROM ghl_change_log) - ?
                       OR ts < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)
                    """, arguments: [after, batch, maxRows, "-\(bounds.maxAgeSeconds) seconds"])!
                guard let last: Int64 = row[0] else { return (last: after, deleted: 0, more: false) }
                try db.execute(sql: """
                    DELETE FROM ghl_change_log WHERE id > ? AND id <= ?
                        AND seq < (SELECT max(seq) FROM ghl_change_log t WHERE t.source_id = ghl_change_log.source_id)
                    """, arguments: [after, last])
                return (last: last, deleted: db.changesCount, more: row[1] as Int == batch)
            }
            pruned += step.deleted
            after = step.last
            if !step.more { return pruned }
        }
    }

    /// Removes the triggers that write the change log. For a scratch file only
    /// (the sync benchmark's capture-off baseline): no `serve` hears of its writes after this.
    public func dropChangeLogTriggers() async throws {
        try await pool.write { db in
            for table in ChangeCapture.tables {
                for op in ChangeCapture.operations {
                    try db.execute(sql: "DROP TRIGGER IF EXISTS \(ChangeCapture.triggerName(table, op))")
                }
            }
        }
    }
}
