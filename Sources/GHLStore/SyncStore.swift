import Foundation

/// What the sync engine needs from a database, so one engine syncs into the
/// SQLite file (`Store`) and into PostgreSQL (`PostgresStore`) alike, with the
/// same semantics: only changed rows written, GHL deletions and the sweep as
/// soft deletes, out-of-scope marking, jobs numbered per source, leases and
/// cursors. Every operation is async so that no implementation blocks a
/// cooperative thread.
public protocol SyncStore: Sendable {
    func source(id: String) async throws -> Source
    func sources() async throws -> [Source]
    /// Active scheduled sources whose interval has passed since their last run started.
    func dueSources(now: Date) async throws -> [Source]

    /// Takes `lease`, or returns the owner of the live lease someone else holds (nil: taken).
    func acquire(_ lease: SourceLease) async throws -> String?
    func release(_ lease: SourceLease) async throws

    func closeInterruptedSyncJobs(sourceId: String, resumedBy runId: String) async throws
    /// Starts a job: its row id, and its number within the source.
    func startSyncJob(sourceId: String, entity: Entity, mode: SyncMode, runId: String) async throws -> (id: Int64, number: Int64)
    func finishSyncJob(_ job: Int64, _ progress: SyncJobProgress, mode: SyncMode?, error: String?, notes: String?) async throws

    func syncCursor(sourceId: String, entity: Entity) async throws -> String?
    func beginSyncRun(_ entity: Entity, sourceId: String, cursor: String, sweeping: Bool) async throws
    /// Writes pages in one transaction: rows, out-of-scope marks, ids seen, cursor, job progress, lease heartbeat.
    func commitSyncPage(_ page: Store.SyncPage) async throws
    func liveCount(_ entity: Entity, sourceId: String) async throws -> Int
    /// The `raw` JSON of each live row of `entity` of a source, by GHL id, canonical (sorted keys, as `EntityRecord.raw`).
    func liveRaw(_ entity: Entity, sourceId: String) async throws -> [String: String]
    /// Sweeps (with `sweep`), forgets the ids seen and saves the cursor; returns how many rows the sweep marked.
    func finishSyncRun(_ entity: Entity, sourceId: String, cursor: String, sweep: SyncFilter?) async throws -> Int?

    /// Saves a source's filter (nil clears it), marks the rows it excludes out
    /// of scope and forgets the source's cursors, after `check` has seen the
    /// owner of the source's live lease (nil when none) and not thrown.
    func setFilter(_ filter: SyncFilter?, sourceId: String,
                   check: @escaping @Sendable (_ leaseHolder: String?) throws -> Void) async throws -> FilterChange
}
