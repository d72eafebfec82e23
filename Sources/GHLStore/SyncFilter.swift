import Foundation

/// Which GHL data a source keeps: `ghl_sources.filters`, as JSON.
///
/// Every part narrows, and parts combine with AND: a record is in scope when
/// its entity is synced, it passes the date range (dated entities), and, for
/// its entity, the pipeline and status choice (opportunities, pipelines) or
/// every contact rule (contacts). The sync pushes what GHL can filter to the
/// API and applies the whole filter again before writing, so a record is
/// never stored out of scope whatever GHL's own matching does.
///
/// Pipelines and custom fields are stored as resolved ids, with the names
/// they had when the filter was set, for display.
public struct SyncFilter: Codable, Sendable, Equatable {
    /// Entities to sync; nil means all six.
    public var entities: [Entity]?
    /// Opportunity pipelines to keep (the pipelines themselves too); empty keeps all.
    public var pipelines: [Pipeline] = []
    /// Opportunity statuses to keep (`opportunityStatuses`); empty keeps all.
    public var statuses: [String] = []
    /// First and last UTC day (`YYYY-MM-DD`, inclusive) of the date range:
    /// a record of a dated entity is kept when it was created or last
    /// updated within it. Either end may be open.
    public var from: String?
    public var to: String?
    /// Contact rules, all of which a contact must pass.
    public var contactRules: [ContactRule] = []

    public struct Pipeline: Codable, Sendable, Equatable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// A custom field of the location, as GHL names it.
    public struct CustomField: Codable, Sendable, Equatable {
        public var id: String
        /// `contact.tier`
        public var key: String
        /// `Tier`
        public var name: String

        public init(id: String, key: String, name: String) {
            self.id = id
            self.key = key
            self.name = name
        }
    }

    /// A tag the contact has, or a test of one of its custom fields.
    /// Tags and values compare case-insensitively (as GHL's search does);
    /// `exists` means a non-empty value.
    public struct ContactRule: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            case tag, equals, contains, exists
        }

        public var kind: Kind
        /// The custom field tested; nil for a tag.
        public var field: CustomField?
        /// The tag, or the value compared; nil for `exists`.
        public var value: String?

        public static func tag(_ tag: String) -> ContactRule { ContactRule(kind: .tag, field: nil, value: tag) }

        public init(kind: Kind, field: CustomField?, value: String?) {
            self.kind = kind
            self.field = field
            self.value = value
        }
    }

    public static let opportunityStatuses = ["open", "won", "lost", "abandoned"]
    /// Entities whose records have GHL creation and update times.
    public static let datedEntities: Set<Entity> = [.contacts, .opportunities, .orders, .payments, .reviews]

    public init(entities: [Entity]? = nil, pipelines: [Pipeline] = [], statuses: [String] = [],
                from: String? = nil, to: String? = nil, contactRules: [ContactRule] = []) {
        self.entities = entities
        self.pipelines = pipelines
        self.statuses = statuses
        self.from = from
        self.to = to
        self.contactRules = contactRules
    }

    public func syncs(_ entity: Entity) -> Bool { entities?.contains(entity) ?? true }

    /// Whether the filter leaves every record of `entity` in scope.
    public func keepsAll(_ entity: Entity) -> Bool {
        guard syncs(entity) else { return false }
        if Self.datedEntities.contains(entity), from != nil || to != nil { return false }
        switch entity {
        case .contacts: return contactRules.isEmpty
        case .opportunities: return pipelines.isEmpty && statuses.isEmpty
        case .pipelines: return pipelines.isEmpty
        case .orders, .payments, .reviews: return true
        }
    }

    /// Whether a record of `entity` is in scope.
    public func keeps(_ entity: Entity, _ record: FilterSubject) -> Bool {
        guard syncs(entity) else { return false }
        if Self.datedEntities.contains(entity), !withinDates(record) { return false }
        switch entity {
        case .contacts:
            return contactRules.allSatisfy { $0.passes(record) }
        case .opportunities:
            return (pipelines.isEmpty || pipelines.contains { $0.id == record.pipelineId })
                && (statuses.isEmpty || record.status.map(statuses.contains) == true)
        case .pipelines:
            return pipelines.isEmpty || pipelines.contains { $0.id == record.pipelineId }
        case .orders, .payments, .reviews:
            return true
        }
    }

    /// Created or last updated within the range, compared by UTC day.
    private func withinDates(_ record: FilterSubject) -> Bool {
        guard from != nil || to != nil else { return true }
        func within(_ time: String?) -> Bool {
            guard let day = time?.prefix(10) else { return false }
            return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
        }
        return within(record.createdAt) || within(record.updatedAt)
    }

    /// Whether the contact rules need the contacts' custom fields.
    public var testsCustomFields: Bool { contactRules.contains { $0.field != nil } }
}

extension SyncFilter.ContactRule {
    func passes(_ record: FilterSubject) -> Bool {
        guard let field else { return record.tags.contains { $0.lowercased() == value?.lowercased() } }
        let values = (record.customFields[field.id] ?? []).filter { !$0.isEmpty }.map { $0.lowercased() }
        let wanted = value?.lowercased() ?? ""
        switch kind {
        case .exists: return !values.isEmpty
        case .equals: return values.contains(wanted)
        case .contains: return values.contains { $0.contains(wanted) }
        case .tag: return false
        }
    }
}

/// What a filter looks at in a record, whether it comes from GHL or from a stored row.
public struct FilterSubject: Sendable {
    /// GHL's creation and update times, as the store keeps them (ISO 8601, UTC).
    public var createdAt: String?
    public var updatedAt: String?
    /// An opportunity's pipeline, or a pipeline's own id.
    public var pipelineId: String?
    public var status: String?
    public var tags: [String]
    /// Custom field id -> its values as text (a multi-value field has several).
    public var customFields: [String: [String]]

    public init(createdAt: String?, updatedAt: String?, pipelineId: String? = nil, status: String? = nil,
                tags: [String] = [], customFields: [String: [String]] = [:]) {
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.pipelineId = pipelineId
        self.status = status
        self.tags = tags
        self.customFields = customFields
    }
}
