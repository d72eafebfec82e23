import PostgresNIO

/// A read of one reporting view as the dashboard asks PostgREST for it
/// (`?source_id=eq.X&order=...&limit=...`, `Prefer: count=exact`), for
/// `bench views --db postgres://` to time under RLS.
public struct PostgresViewRead: Sendable {
    public let relation: PostgresRelation
    /// An ORDER BY list of the view's own columns (constants below, never input).
    let order: String?
    let limit: Int?
    /// Whether the total is counted too, as `Prefer: count=exact` asks.
    let counted: Bool

    /// The dashboard's reads, as `ViewsBench.requests` sends them over HTTP.
    public static let dashboard: [PostgresViewRead] = [
        .init(relation: .dashboardSummary, order: nil, limit: nil, counted: false),
        .init(relation: .contactsRecent, order: "date_updated DESC", limit: 50, counted: true),
        .init(relation: .opportunitiesReport, order: "updated_at DESC", limit: 50, counted: false),
        .init(relation: .pipelineStageSummary, order: "pipeline_name, stage_position", limit: nil, counted: false),
        .init(relation: .revenueSummary, order: "month", limit: nil, counted: false),
        .init(relation: .reviewsSummary, order: nil, limit: nil, counted: false),
        .init(relation: .syncStatus, order: "entity", limit: nil, counted: false),
    ]
}

extension PostgresStore {
    /// Reads `read` of `sourceId` as `userId` (RLS on, in one transaction as
    /// PostgREST runs a request); returns the rows read.
    public func read(_ read: PostgresViewRead, sourceId: String, asUser userId: String) async throws -> Int {
        try await readAsUser(userId) { connection in
            var sql = "SELECT * FROM \(read.relation.rawValue) WHERE source_id = $1"
            if let order = read.order { sql += " ORDER BY \(order)" }
            if let limit = read.limit { sql += " LIMIT \(limit)" }
            var bindings = PostgresBindings()
            bindings.append(sourceId)
            var count = 0
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) { count += 1 }
            if read.counted {
                let total = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(read.relation.rawValue) WHERE source_id = $1", binds: bindings),
                    logger: logger)
                for try await _ in total {}
            }
            return count
        }
    }
}
