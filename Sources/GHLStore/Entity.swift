/// The six kinds of GHL record ghlsync keeps, each in its own `ghl_*` table.
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

    /// The table holding this entity's rows.
    public var table: String { "ghl_\(rawValue)" }

    /// The column holding GHL's own id, unique together with `source_id`.
    public var idColumn: String {
        switch self {
        case .contacts: "ghl_contact_id"
        case .opportunities: "ghl_opportunity_id"
        case .pipelines: "ghl_pipeline_id"
        case .orders: "ghl_order_id"
        case .payments: "ghl_payment_id"
        case .reviews: "ghl_review_id"
        }
    }
}
