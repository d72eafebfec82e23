import Foundation
import GRDB

/// Webhook deliveries as the store sees them: the `webhook_receipts` row and
/// the record changes of one delivery, written in one transaction, so a
/// delivery is applied exactly once or not at all.
extension Store: WebhookStore {
    /// Why a delivery was refused before anything was written.
    public enum WebhookRefusal: Error, Equatable, Sendable {
        /// No active source has this GHL location.
        case unknownLocation(String)
        /// A receipt with this webhook id exists: the delivery was applied before.
        case duplicate(webhookId: String)
    }

    /// What an agency app's `INSTALL` / `UNINSTALL` delivery does to its sources.
    public enum AppInstallation: Sendable, Equatable {
        /// The agency's source of the location becomes active (added when missing).
        case install(companyId: String)
        /// The sources that reach the location (or, with no location, the company) through the app become inactive.
        case uninstall(companyId: String?)
    }

    public func receiveWebhook(_ delivery: WebhookDelivery, at date: Date) async throws -> WebhookApplied {
        try await pool.write { db in
            let installed: [String]
            switch delivery.installation {
            case .uninstall(let companyId):
                installed = try Store.deactivateAgencySources(companyId: companyId, locationId: delivery.locationId, in: db)
            case .install(let companyId):
                installed = delivery.locationId.isEmpty ? []
                    : try Store.installAgencyLocation(companyId: companyId, locationId: delivery.locationId, in: db).map { [$0] } ?? []
            case nil:
                installed = []
            }
            let sources = try installed.isEmpty ? String.fetchAll(db, sql: """
                SELECT id FROM ghl_sources WHERE location_id = ? AND is_active = 1 ORDER BY created_at, id
                """, arguments: [delivery.locationId]) : installed
            guard let first = sources.first else { throw WebhookRefusal.unknownLocation(delivery.locationId) }
            do {
                try db.execute(sql: "INSERT INTO webhook_receipts (webhook_id, source_id, event_type, received_at) VALUES (?, ?, ?, ?)",
                               arguments: [delivery.webhookId, first, delivery.eventType, Timestamp.string(date)])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                // Only the receipt's key says "already received"; any other failure is the store's.
                throw WebhookRefusal.duplicate(webhookId: delivery.webhookId)
            }
            let writes = try delivery.change.map { change in try sources.map { try Store.apply(change, sourceId: $0, at: date, in: db) } } ?? []
            return WebhookApplied(sourceIds: sources, installed: installed, writes: writes)
        }
    }

    private static func apply(_ change: WebhookDelivery.Change, sourceId: String, at date: Date, in db: Database) throws -> WebhookWrite {
        switch change {
        case .delete(let entity, let ghlId):
            try db.execute(sql: """
                UPDATE \(entity.table) SET deleted_at = ?1, updated_at = ?1, deleted_reason = 'deleted'
                WHERE source_id = ?2 AND \(entity.idColumn) = ?3 AND deleted_at IS NULL
                """, arguments: [Timestamp.string(date), sourceId, ghlId])
            return .deleted(found: db.changesCount > 0)
        case .upsert(let entity, let ghlId, let decide):
            let stored = try Row.fetchOne(db, sql: "SELECT raw, ghl_updated_at FROM \(entity.table) WHERE source_id = ? AND \(entity.idColumn) = ?",
                                          arguments: [sourceId, ghlId]).map { WebhookStoredRecord(raw: $0["raw"], ghlUpdatedAt: $0["ghl_updated_at"]) }
            switch try decide(stored, try Source.fetchOne(db, key: sourceId)?.syncFilter()) {
            case .write(let record):
                try Store.upsert(entity, sourceId: sourceId, records: [record], in: db)
                return .upserted
            case .outOfScope:
                return .outOfScope(marked: try Store.markOutOfScope(entity, sourceId: sourceId, ids: [ghlId], in: db))
            case .skip(let reason):
                return .skipped(reason)
            }
        }
    }
}
