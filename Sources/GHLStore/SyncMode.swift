/// How much of a source a run fetches.
public enum SyncMode: String, Sendable, Codable, CaseIterable {
    /// Everything GHL returns; rows GHL no longer returns get `deleted_at`.
    case full
    /// Only records changed since the last successful run's watermark; falls
    /// back to `full` for an entity that has never completed a run.
    case incremental
}
