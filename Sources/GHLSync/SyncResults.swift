import GHLModel
import GHLStore

/// What a run asks for: the body of `POST /functions/v1/run-ghl-all`.
public struct RunRequest: Sendable, Equatable {
    public var sourceId: String
    public var entities: [Entity]
    public var mode: SyncMode
    /// Records per request; nil (and anything larger) means each endpoint's maximum.
    public var pageSize: Int?

    public init(sourceId: String, entities: [Entity] = Entity.allCases, mode: SyncMode = .full, pageSize: Int? = nil) {
        self.sourceId = sourceId
        self.entities = entities
        self.mode = mode
        self.pageSize = pageSize
    }
}

/// One entity's result, as the seed's `poll-ghl-*` returns it (`{ok, count, pages}`)
/// plus the entity and, when it failed, the error.
public struct EntityResult: Codable, Sendable, Equatable {
    public var entity: Entity
    public var ok: Bool
    /// Records stored (fetched and upserted; unchanged ones count, they were checked).
    public var count: Int
    public var pages: Int
    public var error: String?
    /// Malformed records skipped (reported in the job's notes).
    public var skipped: Int
    /// GHL requests made, retries included.
    public var requests: Int
    /// What actually ran: an incremental request can need a full listing.
    public var mode: SyncMode
    /// The job's number within its source (`ghl_sync_jobs.source_job_number`), not the file-wide row id.
    public var jobId: Int64?
}

/// The seed's `run-ghl-all` answer: `{ok, results, counts}`.
public struct RunAllResult: Codable, Sendable, Equatable {
    public var ok: Bool
    public var results: [EntityResult]
    /// Records per entity, e.g. `{"contacts": 150}`.
    public var counts: [String: Int]

    public init(results: [EntityResult]) {
        self.results = results
        self.ok = results.allSatisfy(\.ok)
        self.counts = Dictionary(results.map { ($0.entity.rawValue, $0.count) }, uniquingKeysWith: +)
    }

    public var succeeded: Int { results.filter(\.ok).count }
    public var failed: Int { results.count - succeeded }

    /// "6 succeeded, 0 failed", as the seed's dashboard says it.
    public var summary: String { "\(succeeded) succeeded, \(failed) failed" }
}

/// A live update of one entity of a run, for progress bars.
public struct SyncProgress: Sendable, Equatable {
    public enum State: String, Sendable { case running, completed, failed }

    public var entity: Entity
    public var state: State
    public var records: Int
    public var pages: Int
    public var requests: Int
    /// GHL's total for the listing, when it reports one.
    public var total: Int?
    public var error: String?
}
