import GHLAPI
import GHLStore

extension SyncEngine {
    /// Checks `request`, resolves its pipelines and custom fields against the
    /// source's GHL location (with the source's credentials), then saves the
    /// filter and marks the rows it excludes out of scope, in one transaction.
    ///
    /// Anything wrong (a bad date, an unknown pipeline or custom field, GHL
    /// unreachable, a sync of the source running) throws before anything is
    /// written. Each call replaces the source's whole filter.
    public func setFilter(_ request: FilterRequest, sourceId: String) async throws -> FilterChange {
        var filter = try request.checkedLocally()
        let source = try await store.source(id: sourceId)
        if !filter.pipelines.isEmpty || filter.testsCustomFields {
            let client = makeClient(source, auth: try SourceCredentials.auth(for: source, environment: environment))
            if !filter.pipelines.isEmpty {
                filter.pipelines = try Self.resolve(filter.pipelines, among: try await ghl("pipelines") { try await client.allPipelines() })
            }
            if filter.testsCustomFields {
                let fields = try await ghl("custom fields") { try await client.customFields(model: "contact") }
                filter.contactRules = try filter.contactRules.map { rule in
                    guard let field = rule.field else { return rule }
                    var resolved = rule
                    resolved.field = try Self.resolve(field.id, among: fields)
                    return resolved
                }
            }
        }
        return try await saveFilter(filter, sourceId: sourceId)
    }

    /// Removes the source's filter: the next sync brings everything back.
    public func clearFilter(sourceId: String) async throws -> FilterChange {
        try await saveFilter(nil, sourceId: sourceId)
    }

    private func saveFilter(_ filter: SyncFilter?, sourceId: String) async throws -> FilterChange {
        if isRunning(sourceId: sourceId) {
            throw SyncError.alreadyRunning(sourceId: sourceId, owner: "this process")
        }
        return try await store.setFilter(filter, sourceId: sourceId) { holder in
            if let holder {
                throw SyncError.alreadyRunning(sourceId: sourceId, owner: holder)
            }
        }
    }

    private func ghl<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as GHLAPIError {
            throw SyncError.invalidInput("cannot check the filter's \(what) against GHL: \(error)")
        }
    }

    /// Pipelines given by id or by name (case-insensitive, unique) -> id and name.
    static func resolve(_ wanted: [SyncFilter.Pipeline], among pipelines: [GHLRecord]) throws -> [SyncFilter.Pipeline] {
        let known = pipelines.map { SyncFilter.Pipeline(id: $0.id, name: $0.string("name") ?? $0.id) }
        let list = known.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
        return try wanted.map { pipeline in
            if let match = known.first(where: { $0.id == pipeline.id }) { return match }
            let named = known.filter { $0.name.lowercased() == pipeline.id.lowercased() }
            guard named.count == 1 else {
                throw StoreError.invalidInput(named.isEmpty
                    ? "unknown pipeline \(pipeline.id); the location's pipelines are: \(list)"
                    : "\(named.count) pipelines are named \(pipeline.id); give its id: \(list)")
            }
            return named[0]
        }
    }

    /// A custom field by id, key (`contact.tier` or `tier`) or name (case-insensitive).
    static func resolve(_ key: String, among fields: [GHLRecord]) throws -> SyncFilter.CustomField {
        let known = fields.map { SyncFilter.CustomField(id: $0.id, key: $0.string("fieldKey") ?? $0.id, name: $0.string("name") ?? $0.id) }
        let lowered = key.lowercased()
        let match = known.first { $0.id == key } ?? known.first { $0.key.lowercased() == lowered }
            ?? known.first { $0.key.lowercased() == "contact." + lowered } ?? known.first { $0.name.lowercased() == lowered }
        guard let match else {
            let list = known.map { "\($0.name) (\($0.key))" }.joined(separator: ", ")
            throw StoreError.invalidInput("unknown custom field \(key); the location's contact fields are: \(list.isEmpty ? "none" : list)")
        }
        return match
    }
}

extension GHLClient {
    /// Every pipeline of the location (`GET /opportunities/pipelines`).
    func allPipelines() async throws -> [GHLRecord] {
        var all: [GHLRecord] = []
        for try await page in pages(.pipelines) { all += page.records }
        return all
    }
}
