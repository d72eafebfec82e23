import GHLModel

/// A kind of GHL record the client can page through, with the endpoint and
/// paging scheme that fetch it in the fewest requests.
public enum GHLResource: String, Sendable, Codable, Hashable, CaseIterable {
    /// `POST /contacts/search`, 500 per page, `searchAfter` cursor.
    case contacts
    /// `GET /contacts/` (deprecated by GHL), 100 per page, `startAfter`/`startAfterId`
    /// cursor. Only for accounts where search is unavailable: it needs 5x the requests.
    case legacyContacts
    /// `POST /opportunities/search`, 500 per page, `searchAfter` cursor.
    case opportunities
    /// `GET /opportunities/pipelines`, all in one response.
    case pipelines
    /// `GET /payments/orders`, offset paging.
    case orders
    /// `GET /payments/transactions` (the store's `payments`), offset paging.
    case transactions
    /// `GET /products/reviews`, offset paging.
    case reviews

    /// How an endpoint pages.
    public enum PagingScheme: String, Sendable {
        /// Cursor from the last record's `searchAfter` (page numbers when absent).
        case searchAfter
        /// `startAfter` + `startAfterId` cursor returned in `meta`.
        case startAfterCursor
        /// `limit` + `offset`, with a total count.
        case offset
        /// Everything in one response.
        case unpaged
    }

    /// What `updatedSince` can filter on server-side.
    public enum IncrementalFilter: String, Sendable {
        /// The server filters on the update time: an incremental sync sees every change.
        case updatedAt
        /// The server only filters on the creation time: an incremental sync sees
        /// new records, not changes to older ones, so schedule full syncs too.
        case createdAt
        /// No server-side filter: `updatedSince` is ignored and every page is fetched.
        case none
    }

    /// The entity this resource's records are (transactions are `payments`).
    public var entity: Entity {
        switch self {
        case .contacts, .legacyContacts: .contacts
        case .opportunities: .opportunities
        case .pipelines: .pipelines
        case .orders: .orders
        case .transactions: .payments
        case .reviews: .reviews
        }
    }

    /// The resource that syncs an entity in the fewest requests.
    public init(_ entity: Entity) {
        switch entity {
        case .contacts: self = .contacts
        case .opportunities: self = .opportunities
        case .pipelines: self = .pipelines
        case .orders: self = .orders
        case .payments: self = .transactions
        case .reviews: self = .reviews
        }
    }

    public var method: String {
        self == .contacts || self == .opportunities ? "POST" : "GET"
    }

    public var path: String {
        switch self {
        case .contacts: "/contacts/search"
        case .legacyContacts: "/contacts/"
        case .opportunities: "/opportunities/search"
        case .pipelines: "/opportunities/pipelines"
        case .orders: "/payments/orders"
        case .transactions: "/payments/transactions"
        case .reviews: "/products/reviews"
        }
    }

    /// "POST /contacts/search", as errors name it.
    public var endpoint: String { "\(method) \(path)" }

    public var pagingScheme: PagingScheme {
        switch self {
        case .contacts, .opportunities: .searchAfter
        case .legacyContacts: .startAfterCursor
        case .pipelines: .unpaged
        case .orders, .transactions, .reviews: .offset
        }
    }

    /// The largest page the endpoint serves. GHL's public docs give 500 for
    /// contact and opportunity search (the official files are silent); the
    /// deprecated contacts list takes 100; the payments and reviews specs are
    /// silent, and 100 is what GHL's own UI asks for.
    public var maxPageSize: Int {
        switch self {
        case .contacts, .opportunities: 500
        case .pipelines: 1
        default: 100
        }
    }

    /// The member of the response body holding the records.
    public var recordsKey: String {
        switch self {
        case .contacts, .legacyContacts: "contacts"
        case .opportunities: "opportunities"
        case .pipelines: "pipelines"
        case .orders, .transactions, .reviews: "data"
        }
    }

    /// Contact search filters on `dateUpdated`, opportunity search on
    /// `date_updated`; payments (`startAt`) and reviews (`startDate`) only on
    /// creation; the deprecated contacts list and pipelines not at all.
    public var incrementalFilter: IncrementalFilter {
        switch self {
        case .contacts, .opportunities: .updatedAt
        case .orders, .transactions, .reviews: .createdAt
        case .legacyContacts, .pipelines: .none
        }
    }

    /// Fields the client reads or the store maps, with the JSON type GHL's
    /// spec gives them; a record breaking this is kept and its fields coerced,
    /// with the mismatch reported (`GHLRecord.unexpectedTypes`).
    var typedFields: [(name: String, type: String)] {
        func strings(_ names: String...) -> [(name: String, type: String)] { names.map { ($0, "string") } }
        return switch self {
        case .contacts, .legacyContacts:
            strings("dateAdded", "dateUpdated", "email", "firstName", "lastName", "contactName", "phone", "companyName",
                    "source", "type", "assignedTo", "city", "state", "country") + [("tags", "array"), ("dnd", "boolean")]
        case .opportunities:
            [("monetaryValue", "number")] + strings("name", "status", "pipelineId", "pipelineStageId", "contactId", "assignedTo",
                                                    "source", "createdAt", "updatedAt", "lastStatusChangeAt", "lastStageChangeAt")
        case .pipelines:
            [("stages", "array"), ("name", "string")]
        case .orders, .transactions:
            [("amount", "number"), ("amountRefunded", "number"), ("liveMode", "boolean")]
                + strings("currency", "status", "contactId", "contactName", "contactEmail", "createdAt", "updatedAt")
        case .reviews:
            [("rating", "number")] + strings("headline", "detail", "status", "createdAt", "updatedAt")
        }
    }

}
