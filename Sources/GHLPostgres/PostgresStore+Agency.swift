import Foundation
import GHLStore
import PostgresNIO

/// Sources' schedules and an agency's sources on PostgreSQL, as `Store`
/// changes them (`SyncSchedules`, `Store+Agency`): `sources schedule`,
/// `sources import` and the app's `INSTALL` / `UNINSTALL` webhooks. An
/// agency's changes are serialised by a transaction-scoped advisory lock,
/// as the file's single writer serialises them.
extension PostgresStore: SourceAdminStore {
    public func setSchedule(sourceId: String, interval: Int?, mode: SyncMode?) async throws -> Source {
        try await transaction { connection in
            try await connection.query("""
                UPDATE ghl_sources SET sync_interval_seconds = \(interval), sync_mode = COALESCE(\(mode?.rawValue), sync_mode),
                       updated_at = now()
                WHERE id = \(sourceId)
                """, logger: logger)
            guard let source = try await sources(where: "id = $1", [sourceId], on: connection).first else {
                throw StoreError.unknownSource(sourceId)
            }
            return source
        }
    }

    public func importAgency(companyId: String, apiBase: String, tokenFile: String, locations: [AgencyLocation],
                             dryRun: Bool = false) async throws -> AgencyImport {
        try await transaction { connection in
            try await lock("agency", companyId, on: connection)
            var plan = AgencyImport()
            let installed = Set(locations.map(\.locationId))
            for location in locations {
                let existing = try await sources(where: "location_id = $1", [location.locationId], on: connection)
                if let own = existing.first(where: { $0.companyId == companyId }) ?? existing.first {
                    guard own.companyId == companyId, !own.isActive else { plan.unchanged.append(own); continue }
                    plan.reactivated.append(dryRun ? own : try await setActive(true, own, on: connection))
                    continue
                }
                let source = try Source.new(name: location.name.isEmpty ? location.locationId : location.name, locationId: location.locationId,
                                            apiBase: apiBase, tokenEnv: nil, tokenFile: tokenFile, companyId: companyId)
                if !dryRun { try await addSource(source, on: connection) }
                plan.added.append(source)
            }
            for source in try await sources(where: "company_id = $1 AND is_active", [companyId], on: connection)
            where !installed.contains(source.locationId) {
                plan.deactivated.append(dryRun ? source : try await setActive(false, source, on: connection))
            }
            return plan
        }
    }

    /// `UNINSTALL` (`Store.deactivateAgencySources`): the active sources that reached the location
    /// (every one of the company's when `locationId` is empty) through an agency's app become inactive.
    func deactivateAgencySources(companyId: String?, locationId: String, on connection: PostgresConnection) async throws -> [String] {
        if let companyId { try await lock("agency", companyId, on: connection) }
        var condition = "company_id IS NOT NULL AND is_active"
        var values: [String] = []
        for (column, value) in [("company_id", companyId), ("location_id", locationId.isEmpty ? nil : locationId)] {
            guard let value else { continue }
            values.append(value)
            condition += " AND \(column) = $\(values.count)"
        }
        let reached = try await sources(where: condition, values, on: connection)
        var ids: [String] = []
        for source in reached { ids.append(try await setActive(false, source, on: connection).id) }
        return ids
    }

    /// `INSTALL` (`Store.installAgencyLocation`): the location's source of the agency becomes active, or one is
    /// added with the agency's credentials and schedule; nil when no source of the company names its credentials.
    func installAgencyLocation(companyId: String, locationId: String, on connection: PostgresConnection) async throws -> String? {
        try await lock("agency", companyId, on: connection)
        let agency = try await sources(where: "company_id = $1", [companyId], on: connection)
        if let existing = agency.first(where: { $0.locationId == locationId }) {
            return existing.isActive ? existing.id : try await setActive(true, existing, on: connection).id
        }
        guard let template = agency.first(where: { $0.tokenFile != nil }), let tokenFile = template.tokenFile else { return nil }
        var source = try Source.new(name: locationId, locationId: locationId, apiBase: template.apiBase, tokenEnv: nil,
                                    tokenFile: tokenFile, currency: template.currency, companyId: companyId)
        source.syncIntervalSeconds = template.syncIntervalSeconds
        source.syncMode = template.syncMode
        try await addSource(source, on: connection)
        return source.id
    }

    private func setActive(_ active: Bool, _ source: Source, on connection: PostgresConnection) async throws -> Source {
        var changed = source
        changed.isActive = active
        changed.updatedAt = Timestamp.string()
        try await connection.query("""
            UPDATE ghl_sources SET is_active = \(active), updated_at = \(changed.updatedAt)::timestamptz WHERE id = \(source.id)
            """, logger: logger)
        return changed
    }
}
