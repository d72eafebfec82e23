import Foundation

/// What an agency's import and its `INSTALL` webhook change, decided once
/// from the sources as they are, so the file and PostgreSQL only write it.
extension AgencyImport {
    /// The import of the installed `locations`, given every source, oldest
    /// first: each installed location without a source gets one, the
    /// agency's inactive ones installed again become active, and its active
    /// ones no longer installed inactive. A location listed twice is added once.
    public static func plan(companyId: String, apiBase: String, tokenFile: String, locations: [AgencyLocation],
                            sources: [Source], at now: String) throws -> AgencyImport {
        var plan = AgencyImport()
        var known = sources
        for location in locations {
            let existing = known.indices.filter { known[$0].locationId == location.locationId }
            if let index = existing.first(where: { known[$0].companyId == companyId }) ?? existing.first {
                guard known[index].companyId == companyId, !known[index].isActive else { plan.unchanged.append(known[index]); continue }
                known[index].isActive = true
                known[index].updatedAt = now
                plan.reactivated.append(known[index])
                continue
            }
            let source = try Source.new(name: location.name.isEmpty ? location.locationId : location.name, locationId: location.locationId,
                                        apiBase: apiBase, tokenEnv: nil, tokenFile: tokenFile, companyId: companyId)
            known.append(source)
            plan.added.append(source)
        }
        let installed = Set(locations.map(\.locationId))
        for var source in sources where source.companyId == companyId && source.isActive && !installed.contains(source.locationId) {
            source.isActive = false
            source.updatedAt = now
            plan.deactivated.append(source)
        }
        return plan
    }

    /// What an `INSTALL` on `locationId` changes, given the company's sources
    /// oldest first: its source as it is (`nil` change), made active again
    /// (`.updated`), or a new one with the credentials and schedule of the
    /// company's earliest source that names its credentials file (`.inserted`).
    /// Nil when no source of the company names one.
    public static func install(locationId: String, companyId: String, agencySources: [Source],
                               at now: String) throws -> (source: Source, change: SourceChange?)? {
        if var existing = agencySources.first(where: { $0.locationId == locationId }) {
            guard !existing.isActive else { return (existing, nil) }
            existing.isActive = true
            existing.updatedAt = now
            return (existing, .updated)
        }
        guard let template = agencySources.first(where: { $0.tokenFile != nil }), let tokenFile = template.tokenFile else { return nil }
        var source = try Source.new(name: locationId, locationId: locationId, apiBase: template.apiBase, tokenEnv: nil,
                                    tokenFile: tokenFile, currency: template.currency, companyId: companyId)
        source.syncIntervalSeconds = template.syncIntervalSeconds
        source.syncMode = template.syncMode
        return (source, .inserted)
    }

    /// How a planned source reaches the database.
    public enum SourceChange: Sendable { case inserted, updated }
}
