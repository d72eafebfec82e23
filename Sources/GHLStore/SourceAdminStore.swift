import Foundation

/// What `sources schedule` and `sources import` change, so the same commands
/// run on the SQLite file (`Store`) and on PostgreSQL (`PostgresStore`).
public protocol SourceAdminStore: Sendable {
    /// Sets (or with `interval == nil` clears) a source's schedule; a nil `mode` keeps the one it has.
    func setSchedule(sourceId: String, interval: Int?, mode: SyncMode?) async throws -> Source
    /// Brings the agency's sources in line with where its app is installed, in one transaction (`Store.importAgency`).
    func importAgency(companyId: String, apiBase: String, tokenFile: String, locations: [AgencyLocation],
                      dryRun: Bool) async throws -> AgencyImport
}

extension Store: SourceAdminStore {}
