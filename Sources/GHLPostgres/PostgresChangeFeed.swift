import GHLStore
import Logging
import NIOCore
import PostgresNIO

/// The changes `rt_broadcast_ghl_changes()` appends to `ghlsync_changes`, as
/// the `ChangeEvent`s the SQLite change log yields, so that `serve --db
/// postgres://` can push them through the same realtime service. Each feed
/// LISTENs on a connection of its own and, at each notice (one per committed
/// transaction), reads every topic's rows past the position it has reached, in
/// seq order, which is commit order; any number of feeds (of any number of
/// `serve`s) read one database, each seeing every change.
public struct PostgresChangeFeed: Sendable {
    /// The channel the trigger notifies.
    public static let channel = "ghlsync_changes"
    /// Rows read per query while a topic catches up.
    static let batch = 1_000

    private let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    /// Every topic's last seq now: where a feed that wants only what comes next starts.
    public func position() async throws -> [String: Int64] {
        try await store.client.withConnection { try await topics(on: $0) }
    }

    /// The last `recent` changes, each topic's in seq order (to warm a bus's
    /// cache, from which clients resume), and every topic's last seq, as of
    /// one snapshot: the position a feed continues from.
    public func snapshot(recent: Int) async throws -> (recent: [ChangeEvent], lastSeqs: [String: Int64]) {
        try await store.client.withTransaction(logger: store.logger) { connection in
            try await store.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", on: connection)
            let lastSeqs = try await topics(on: connection)
            // Each topic's newest by seq, not the table's newest by `created_at`
            // (a transaction's start, not its commit): a topic's cached run must
            // have no gap, or a resume inside it would miss changes unrefetched.
            let perTopic = max(1, recent / max(1, lastSeqs.count))
            let newest = try await events(on: connection, from: """
                (SELECT c.* FROM ghlsync_change_topics t CROSS JOIN LATERAL
                    (SELECT * FROM ghlsync_changes c WHERE c.source_id = t.source_id ORDER BY c.seq DESC LIMIT \(perTopic)) c) newest
                """, where: "true", orderBy: "source_id, seq", limit: perTopic * lastSeqs.count)
            return (newest, lastSeqs)
        }
    }

    /// The changes after `position` (topic -> last seq seen; a topic it lacks
    /// from its first change), then each one as it commits, until the
    /// consumer stops or the connection fails (the stream then throws).
    public func events(after position: [String: Int64]) -> AsyncThrowingStream<ChangeEvent, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await follow(from: position) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func follow(from position: [String: Int64], yield: @Sendable (ChangeEvent) -> Void) async throws {
        let connection = try await PostgresConnection.connect(configuration: store.url.connectionConfiguration(), id: 1,
                                                              logger: store.logger)
        // Closing the connection ends the notices' sequence, so cancelling the task stops the wait.
        let failure: (any Error)?
        do {
            try await withTaskCancellationHandler {
                try await connection.listen(on: Self.channel) { notices in
                    // Listening first, then reading, so that no commit falls between the two.
                    var reached = position
                    try await readNew(on: connection, reached: &reached, yield: yield)
                    for try await _ in notices {
                        try await readNew(on: connection, reached: &reached, yield: yield)
                    }
                }
            } onCancel: {
                connection.close().whenComplete { _ in }
            }
            failure = nil
        } catch {
            failure = error
        }
        // Closed on every path: the service retries a failed feed every second.
        try? await connection.close()
        if let failure, !Task.isCancelled { throw failure }
    }

    /// Yields each topic's changes past `reached`, and moves `reached` to them.
    private func readNew(on connection: PostgresConnection, reached: inout [String: Int64],
                         yield: @Sendable (ChangeEvent) -> Void) async throws {
        for (sourceId, last) in try await topics(on: connection) where last > reached[sourceId, default: 0] {
            var after = reached[sourceId, default: 0]
            while after < last {
                let rows = try await events(on: connection, where: "source_id = $1 AND seq > $2 AND seq <= $3",
                                            binds: [sourceId, after, last], orderBy: "seq", limit: Self.batch)
                for event in rows { yield(event) }
                guard let reachedSeq = rows.last?.seq else { break }   // pruned past `last`: nothing more to read
                after = reachedSeq
            }
            reached[sourceId] = last
        }
    }

    /// The rows of `relation` (`ghlsync_changes` or rows of it) matching
    /// `condition` (`$1`... bound from `binds`), as events.
    private func events(on connection: PostgresConnection, from relation: String = "ghlsync_changes", where condition: String,
                        binds values: [any PostgresDynamicTypeEncodable & Sendable] = [],
                        orderBy: String, limit: Int) async throws -> [ChangeEvent] {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: Self.select(from: relation, where: condition, orderBy: orderBy, limit: limit),
                                                            binds: binds), logger: store.logger)
        var events: [ChangeEvent] = []
        for try await row in rows {
            if let event = try Self.event(row) { events.append(event) }
        }
        return events
    }

    /// The query of `events`, shared with `PostgresChangeHistory`: the rows
    /// as `event(_:)` reads them, at most `limit` (all when nil).
    static func select(from relation: String = "ghlsync_changes", where condition: String, orderBy: String, limit: Int?) -> String {
        """
        SELECT source_id, seq, table_name, operation, \(scopedPayload("old"))::text, \(scopedPayload("new"))::text,
               \(PostgresStore.timestampText("created_at"))
        FROM \(relation) WHERE \(condition) ORDER BY \(orderBy)\(limit.map { " LIMIT \($0)" } ?? "")
        """
    }

    /// A row of `select` as the event the SQLite change log would yield.
    static func event(_ row: PostgresRow) throws -> ChangeEvent? {
        let (sourceId, seq, table, operation, old, new, timestamp) = try row.decode((String, Int64, String, String, String?, String?, String).self)
        guard let operation = ChangeEvent.Operation(rawValue: operation) else { return nil }
        return ChangeEvent(table: table, operation: operation, sourceId: sourceId, old: old, new: new, timestamp: timestamp, seq: seq)
    }

    /// A stored row (`old` or `new`) as a viewer of its source may see it: its
    /// `id` the one `AccessScope.scopedId` names (a record's GHL id, a job's
    /// number within its source), as on the file, never the table's identity,
    /// counted across all sources.
    static func scopedPayload(_ column: String) -> String {
        let cases = PostgresRelation.allCases.compactMap { relation in
            AccessScope.scopedId(of: relation.rawValue).map {
                "WHEN '\(relation.rawValue)' THEN jsonb_set(\(column), '{id}', coalesce(\(column) -> '\($0)', 'null'))"
            }
        }
        return "CASE table_name \(cases.joined(separator: " ")) ELSE \(column) END"
    }

    private func topics(on connection: PostgresConnection) async throws -> [String: Int64] {
        var topics: [String: Int64] = [:]
        let rows = try await connection.query("SELECT source_id, last_seq FROM ghlsync_change_topics", logger: store.logger)
        for try await (sourceId, last) in rows.decode((String, Int64).self) { topics[sourceId] = last }
        return topics
    }
}
