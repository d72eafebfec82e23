import GHLStore

/// A filter as a user writes it (`ghlsync sources filter`), before its
/// pipelines and custom fields are resolved against the source's GHL location.
public struct FilterRequest: Sendable, Equatable {
    /// Entity names; nil syncs all.
    public var entities: [String]?
    /// Pipeline ids or names.
    public var pipelines: [String]
    public var statuses: [String]
    /// `YYYY-MM-DD`, inclusive.
    public var from: String?
    public var to: String?
    public var contactTags: [String]
    /// `KEY=VALUE` (equals), `KEY~VALUE` (contains) or `KEY?` (has a value);
    /// a key is a custom field's id, key (`contact.tier` or `tier`) or name.
    public var contactFields: [String]

    public init(entities: [String]? = nil, pipelines: [String] = [], statuses: [String] = [], from: String? = nil,
                to: String? = nil, contactTags: [String] = [], contactFields: [String] = []) {
        self.entities = entities
        self.pipelines = pipelines
        self.statuses = statuses
        self.from = from
        self.to = to
        self.contactTags = contactTags
        self.contactFields = contactFields
    }

    /// Parses `KEY=VALUE`, `KEY~VALUE`, `KEY?` (the first `=` or `~` splits)
    /// into a rule on the field as written, resolved later.
    static func parseField(_ text: String) throws -> SyncFilter.ContactRule {
        func rule(_ key: String, _ kind: SyncFilter.ContactRule.Kind, _ value: String?) -> SyncFilter.ContactRule {
            SyncFilter.ContactRule(kind: kind, field: .init(id: key, key: key, name: key), value: value)
        }
        let syntax = "use KEY=VALUE (equals), KEY~VALUE (contains) or KEY? (has a value)"
        if let split = text.firstIndex(where: { $0 == "=" || $0 == "~" }) {
            let key = text[..<split].trimmingCharacters(in: .whitespaces)
            let value = text[text.index(after: split)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw StoreError.invalidInput("--contact-field \(text) has no field name: \(syntax)") }
            guard !value.isEmpty else { throw StoreError.invalidInput("--contact-field \(text) has an empty value: \(syntax)") }
            return rule(key, text[split] == "=" ? .equals : .contains, value)
        }
        guard text.hasSuffix("?"), !text.dropLast().trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StoreError.invalidInput("--contact-field \(text) is not a rule: \(syntax)")
        }
        return rule(text.dropLast().trimmingCharacters(in: .whitespaces), .exists, nil)
    }

    /// The filter with everything checked that needs no GHL: entity names,
    /// statuses, dates, empty values, rule syntax. Pipelines and custom
    /// fields stand as given (id = what the user wrote) until resolved.
    func checkedLocally() throws -> SyncFilter {
        var entityList: [Entity]?
        if let entities {
            entityList = try entities.map { name in
                guard let entity = Entity(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                    throw StoreError.invalidInput("unknown entity \(name); entities are \(Entity.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return entity
            }
        }
        let pipelineRefs = try pipelines.map { text in
            let name = text.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw StoreError.invalidInput("--pipeline must not be empty") }
            return SyncFilter.Pipeline(id: name, name: name)
        }
        let fieldRules = try contactFields.map(Self.parseField)
        let filter = SyncFilter(entities: entityList, pipelines: pipelineRefs, statuses: statuses.map { $0.lowercased() },
                                from: from, to: to,
                                contactRules: contactTags.map { .tag($0.trimmingCharacters(in: .whitespaces)) } + fieldRules)
        try filter.validate()
        return filter
    }
}
