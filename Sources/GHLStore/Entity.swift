import GHLModel

/// The store's name for the shared entity vocabulary (`GHLModel.Entity`), so
/// the store's files and its clients use it without importing GHLModel.
public typealias Entity = GHLModel.Entity

/// Where each entity lives in the file.
extension Entity {
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
