import Foundation

/// The SQLite file as a `SyncStore`: its synchronous APIs run off the
/// cooperative threads (`blocking`); async ones (`beginSyncRun`,
/// `commitSyncPage`, `liveCount`, `liveRaw`, `finishSyncRun`, `syncCursor`)
/// already conform.
extension Store: SyncStore {
    public func source(id: String) async throws -> Source {
        try await blocking { [self] in try source(id: id) }
    }

    public func sources() async throws -> [Source] {
        try await blocking { [self] in try sources() }
    }

    public func dueSources(now: Date) async throws -> [Source] {
        try await blocking { [self] in try dueSources(now: now) }
    }

    public func acquire(_ lease: SourceLease) async throws -> String? {
        try await blocking { [self] in try acquire(lease, at: Date()) }
    }

    public func release(_ lease: SourceLease) async throws {
        try await blocking { [self] in try release(lease) }
    }

    public func closeInterruptedSyncJobs(sourceId: String, resumedBy runId: String) async throws {
        try await blocking { [self] in try closeInterruptedSyncJobs(sourceId: sourceId, resumedBy: runId) }
    }

    public func startSyncJob(sourceId: String, entity: Entity, mode: SyncMode, runId: String) async throws -> (id: Int64, number: Int64) {
        try await blocking { [self] in try startSyncJob(sourceId: sourceId, entity: entity, mode: mode, runId: runId, at: Date()) }
    }

    public func finishSyncJob(_ job: Int64, _ progress: SyncJobProgress, mode: SyncMode?, error: String?, notes: String?) async throws {
        try await blocking { [self] in try finishSyncJob(job, progress, mode: mode, error: error, notes: notes) }
    }

    public func setFilter(_ filter: SyncFilter?, sourceId: String,
                          check: @escaping @Sendable (_ leaseHolder: String?) throws -> Void) async throws -> FilterChange {
        try await blocking { [self] in try setFilter(filter, sourceId: sourceId, check: { try check($0) }) }
    }
}
