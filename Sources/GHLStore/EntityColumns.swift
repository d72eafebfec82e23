/// Each entity's typed columns, declared once: name, SQLite type, and where in
/// GHL's record the value is read from. The upsert's column list and the
/// sync's mapping (`RecordMapping`) both derive from this list, so a column
/// cannot be written under a misspelt name; `EntityColumnsTests` checks it
/// against the migrated tables (the migrations keep their own frozen SQL).
extension Entity {
    /// Typed columns beside the common ones, in table order. They are what the
    /// views, filters and indexes need; everything else stays in `raw`.
    public var columns: [EntityColumn] {
        switch self {
        case .contacts: EntityColumn.contacts
        case .opportunities: EntityColumn.opportunities
        case .pipelines: EntityColumn.pipelines
        case .orders: EntityColumn.orders
        case .payments: EntityColumn.payments
        case .reviews: EntityColumn.reviews
        }
    }
}

/// A typed column of an entity table and how GHL's record fills it.
public struct EntityColumn: Sendable, Hashable {
    public var name: String
    public var reading: Reading

    /// How the value is read from the GHL record (GHL sends fields missing,
    /// null or of another type than its spec says; a column then gets the
    /// closest faithful value or NULL).
    public enum Reading: Sendable, Hashable {
        /// Text of the first path holding a string (a number or boolean as written).
        case text(paths: [[String]])
        /// The first path holding a number, or a string that reads as one.
        case real(paths: [[String]])
        /// A boolean member as 0/1.
        case flag(key: String)
        /// An array or object member as canonical JSON text.
        case json(key: String)
        /// A time member, normalised to the store's form.
        case timestamp(key: String)
    }

    /// The column's SQLite type.
    public var sqlType: String {
        switch reading {
        case .text, .json, .timestamp: "TEXT"
        case .real: "REAL"
        case .flag: "INTEGER"
        }
    }

    /// Paths are member names, nested ones joined by dots (`contact.id`).
    static func text(_ name: String, _ paths: String...) -> EntityColumn {
        EntityColumn(name: name, reading: .text(paths: paths.map { $0.split(separator: ".").map(String.init) }))
    }

    static func real(_ name: String, _ paths: String...) -> EntityColumn {
        EntityColumn(name: name, reading: .real(paths: paths.map { $0.split(separator: ".").map(String.init) }))
    }

    static func flag(_ name: String, _ key: String) -> EntityColumn { EntityColumn(name: name, reading: .flag(key: key)) }
    static func json(_ name: String, _ key: String) -> EntityColumn { EntityColumn(name: name, reading: .json(key: key)) }
    static func timestamp(_ name: String, _ key: String) -> EntityColumn { EntityColumn(name: name, reading: .timestamp(key: key)) }

    static let contacts: [EntityColumn] = [
        .text("first_name", "firstName"), .text("last_name", "lastName"), .text("contact_name", "contactName", "name"),
        .text("email", "email"), .text("phone", "phone"), .text("company_name", "companyName"), .text("source", "source"),
        .text("contact_type", "type"), .text("assigned_to", "assignedTo"), .text("city", "city"), .text("state", "state"),
        .text("country", "country"), .json("tags", "tags"), .flag("dnd", "dnd"),
    ]
    static let opportunities: [EntityColumn] = [
        .text("name", "name"), .text("pipeline_id", "pipelineId"), .text("pipeline_stage_id", "pipelineStageId"),
        .text("status", "status"), .real("monetary_value", "monetaryValue"), .text("contact_id", "contactId", "contact.id"),
        .text("assigned_to", "assignedTo"), .text("source", "source"),
        .timestamp("last_status_change_at", "lastStatusChangeAt"), .timestamp("last_stage_change_at", "lastStageChangeAt"),
    ]
    static let pipelines: [EntityColumn] = [.text("name", "name"), .json("stages", "stages")]
    static let orders: [EntityColumn] = [
        .text("contact_id", "contactId", "contactSnapshot.id"), .text("contact_name", "contactName", "contactSnapshot.name"),
        .text("contact_email", "contactEmail", "contactSnapshot.email"), .text("currency", "currency"),
        .real("amount", "amount"), .text("status", "status"), .text("source_type", "sourceType", "source.type"),
        .text("fulfillment_status", "fulfillmentStatus"), .flag("live_mode", "liveMode"),
    ]
    static let payments: [EntityColumn] = [
        .text("contact_id", "contactId"), .text("contact_name", "contactName"), .text("contact_email", "contactEmail"),
        .text("currency", "currency"), .real("amount", "amount"), .real("amount_refunded", "amountRefunded"),
        .text("status", "status"), .text("entity_type", "entityType"), .text("entity_id", "entityId"),
        .text("payment_provider", "paymentProviderType", "paymentProvider.type"), .flag("live_mode", "liveMode"),
    ]
    static let reviews: [EntityColumn] = [
        .text("product_id", "productId"), .real("rating", "rating"), .text("headline", "headline"), .text("detail", "detail"),
        .text("status", "status"), .text("reviewer_name", "reviewer.name", "user.name", "name"),
        .text("reviewer_email", "reviewer.email", "user.email", "email"),
    ]
}
