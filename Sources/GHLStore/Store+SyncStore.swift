import Foundation

/// The SQLite file as a `SyncStore`. Its store APIs are async already; these
/// two take the protocol's shape (the time is now).
extension Store: SyncStore {
    public func acquire(_ lease: SourceLease) async throws -> String? {
        try await acquire(lease, at: Date())
    }

    public func startSyncJob(sourceId: String, entity: Entity, mode: SyncMode, runId: String) async throws -> (id: Int64, number: Int64) {
        try await startSyncJob(sourceId: sourceId, entity: entity, mode: mode, runId: runId, at: Date())
    }
}
