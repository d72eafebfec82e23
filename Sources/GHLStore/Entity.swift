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

    /// Typed columns beside the common ones, in table order. They are what the
    /// views, filters and indexes need; everything else stays in `raw`.
    public var columns: [Column] {
        switch self {
        case .contacts:
            [.text("first_name"), .text("last_name"), .text("contact_name"), .text("email"),
             .text("phone"), .text("company_name"), .text("source"), .text("contact_type"),
             .text("assigned_to"), .text("city"), .text("state"), .text("country"),
             .text("tags"), .integer("dnd")]
        case .opportunities:
            [.text("name"), .text("pipeline_id"), .text("pipeline_stage_id"), .text("status"),
             .real("monetary_value"), .text("contact_id"), .text("assigned_to"), .text("source"),
             .text("last_status_change_at"), .text("last_stage_change_at")]
        case .pipelines:
            [.text("name"), .text("stages")]
        case .orders:
            [.text("contact_id"), .text("contact_name"), .text("contact_email"), .text("currency"),
             .real("amount"), .text("status"), .text("source_type"), .text("fulfillment_status"),
             .integer("live_mode")]
        case .payments:
            [.text("contact_id"), .text("contact_name"), .text("contact_email"), .text("currency"),
             .real("amount"), .real("amount_refunded"), .text("status"), .text("entity_type"),
             .text("entity_id"), .text("payment_provider"), .integer("live_mode")]
        case .reviews:
            [.text("product_id"), .real("rating"), .text("headline"), .text("detail"),
             .text("status"), .text("reviewer_name"), .text("reviewer_email")]
        }
    }

    /// A typed column of an entity table.
    public struct Column: Sendable, Hashable {
        public var name: String
        public var sqlType: String

        public static func text(_ name: String) -> Column { Column(name: name, sqlType: "TEXT") }
        public static func real(_ name: String) -> Column { Column(name: name, sqlType: "REAL") }
        public static func integer(_ name: String) -> Column { Column(name: name, sqlType: "INTEGER") }
    }
}
