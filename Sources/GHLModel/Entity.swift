/// The six kinds of GHL record ghlsync keeps: the one vocabulary the client
/// (`GHLResource(entity)`), the sync and the store (one `ghl_*` table each) share.
///
/// The raw names (`contacts`, `payments`, ...) are the ones the seed's edge
/// functions use (`poll-ghl-{entity}`) and the values of `ghl_sync_jobs.job_type`.
public enum Entity: String, CaseIterable, Sendable, Codable, Hashable {
    case contacts
    case opportunities
    case pipelines
    case orders
    case payments
    case reviews
}
