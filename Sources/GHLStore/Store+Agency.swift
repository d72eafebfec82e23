import Foundation
import GRDB

/// The sources an agency's Company token reaches: what importing its installed locations changes,
/// and what its `INSTALL` / `UNINSTALL` webhooks change.
public struct AgencyImport: Sendable, Equatable {
    /// Installed locations that had no source: added, active.
    public var added: [Source] = []
    /// The agency's inactive sources whose location has the app again: active again.
    public var reactivated: [Source] = []
    /// The agency's active sources whose location no longer has the app: inactive.
    public var deactivated: [Source] = []
    /// Installed locations already synced as they are (the agency's own sources, or one added by hand).
    public var unchanged: [Source] = []

    public init() {}
}

/// A location of the agency where its app is installed, as `/oauth/installedLocations` lists it.
public struct AgencyLocation: Sendable, Equatable {
    public var locationId: String
    public var name: String

    public init(locationId: String, name: String) {
        self.locationId = locationId
        self.name = name
    }
}

extension Store {
    /// Brings the agency's sources in line with where its app is installed, in one transaction:
    /// each installed location without a source gets one (credentials in `tokenFile`, the agency's
    /// 0600 file), the agency's sources of locations no longer installed become inactive, and those
    /// installed again become active. A location is never added twice. With `dryRun` nothing is written.
    public func importAgency(companyId: String, apiBase: String, tokenFile: String, locations: [AgencyLocation],
                             dryRun: Bool = false) async throws -> AgencyImport {
        try await pool.write { db in
            var plan = AgencyImport()
            let installed = Set(locations.map(\.locationId))
            let now = Timestamp.string()
            for location in locations {
                let existing = try Source.filter(Column("location_id") == location.locationId)
                    .order(Column("created_at"), Column("id")).fetchAll(db)
                if let own = existing.first(where: { $0.companyId == companyId }) ?? existing.first {
                    guard own.companyId == companyId, !own.isActive else { plan.unchanged.append(own); continue }
                    var revived = own
                    revived.isActive = true
                    revived.updatedAt = now
                    if !dryRun { try revived.update(db) }
                    plan.reactivated.append(revived)
                    continue
                }
                let source = try Source.new(name: location.name.isEmpty ? location.locationId : location.name, locationId: location.locationId,
                                            apiBase: apiBase, tokenEnv: nil, tokenFile: tokenFile, companyId: companyId)
                if !dryRun { try source.insert(db) }
                plan.added.append(source)
            }
            for var source in try Source.filter(Column("company_id") == companyId && Column("is_active") == true).fetchAll(db)
            where !installed.contains(source.locationId) {
                source.isActive = false
                source.updatedAt = now
                if !dryRun { try source.update(db) }
                plan.deactivated.append(source)
            }
            return plan
        }
    }

    /// `UNINSTALL`: the active sources that reached the location through an agency's app become
    /// inactive (every one of the company's when `locationId` is empty: an agency-level uninstall).
    /// Returns their ids.
    public static func deactivateAgencySources(companyId: String?, locationId: String, in db: Database) throws -> [String] {
        var request = Source.filter(Column("company_id") != nil && Column("is_active") == true)
        if let companyId { request = request.filter(Column("company_id") == companyId) }
        if !locationId.isEmpty { request = request.filter(Column("location_id") == locationId) }
        let now = Timestamp.string()
        var ids: [String] = []
        for var source in try request.order(Column("created_at"), Column("id")).fetchAll(db) {
            source.isActive = false
            source.updatedAt = now
            try source.update(db)
            ids.append(source.id)
        }
        return ids
    }

    /// `INSTALL` on a location of an agency ghlsync already imports: its source becomes active, or
    /// a new one is added with the agency's credentials and schedule (those of its earliest source). Returns the
    /// source's id, or nil when no source of the company tells where its credentials are.
    public static func installAgencyLocation(companyId: String, locationId: String, in db: Database) throws -> String? {
        let agencySources = Source.filter(Column("company_id") == companyId).order(Column("created_at"), Column("id"))
        if var existing = try agencySources.filter(Column("location_id") == locationId).fetchOne(db) {
            if !existing.isActive {
                existing.isActive = true
                existing.updatedAt = Timestamp.string()
                try existing.update(db)
            }
            return existing.id
        }
        guard let template = try agencySources.filter(Column("token_file") != nil).fetchOne(db), let tokenFile = template.tokenFile else { return nil }
        var source = try Source.new(name: locationId, locationId: locationId, apiBase: template.apiBase, tokenEnv: nil,
                                    tokenFile: tokenFile, currency: template.currency, companyId: companyId)
        source.syncIntervalSeconds = template.syncIntervalSeconds
        source.syncMode = template.syncMode
        try source.insert(db)
        return source.id
    }
}
