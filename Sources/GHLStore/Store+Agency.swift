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
            let sources = try Source.order(Column("created_at"), Column("id")).fetchAll(db)
            let plan = try AgencyImport.plan(companyId: companyId, apiBase: apiBase, tokenFile: tokenFile, locations: locations,
                                             sources: sources, at: Timestamp.string())
            guard !dryRun else { return plan }
            for source in plan.added { try source.insert(db) }
            for source in plan.reactivated + plan.deactivated { try source.update(db) }
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
        let agencySources = try Source.filter(Column("company_id") == companyId).order(Column("created_at"), Column("id")).fetchAll(db)
        guard let (source, change) = try AgencyImport.install(locationId: locationId, companyId: companyId, agencySources: agencySources,
                                                              at: Timestamp.string()) else { return nil }
        switch change {
        case .inserted?: try source.insert(db)
        case .updated?: try source.update(db)
        case nil: break
        }
        return source.id
    }
}
