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
            let plan = try AgencyImport.plan(companyId: companyId, apiBase: apiBase, tokenFile: tokenFile, locations: locations,
                                             sources: try await sources(where: "true", on: connection), at: Timestamp.string())
            guard !dryRun else { return plan }
            for source in plan.added { try await addSource(source, on: connection) }
            for source in plan.reactivated + plan.deactivated { try await saveActive(source, on: connection) }
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
        let now = Timestamp.string()
        for var source in reached {
            source.isActive = false
            source.updatedAt = now
            try await saveActive(source, on: connection)
        }
        return reached.map(\.id)
    }

    /// `INSTALL` (`Store.installAgencyLocation`): the location's source of the agency becomes active, or one is
    /// added with the agency's credentials and schedule; nil when no source of the company names its credentials.
    func installAgencyLocation(companyId: String, locationId: String, on connection: PostgresConnection) async throws -> String? {
        try await lock("agency", companyId, on: connection)
        let agencySources = try await sources(where: "company_id = $1", [companyId], on: connection)
        guard let (source, change) = try AgencyImport.install(locationId: locationId, companyId: companyId, agencySources: agencySources,
                                                              at: Timestamp.string()) else { return nil }
        switch change {
        case .inserted?: try await addSource(source, on: connection)
        case .updated?: try await saveActive(source, on: connection)
        case nil: break
        }
        return source.id
    }

    /// Writes `source`'s `is_active` and `updated_at` as planned.
    private func saveActive(_ source: Source, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE ghl_sources SET is_active = \(source.isActive), updated_at = \(source.updatedAt)::timestamptz WHERE id = \(source.id)
            """, logger: logger)
    }
}
