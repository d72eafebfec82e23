import Foundation
import GRDB

/// Webhook deliveries as the store sees them: the `webhook_receipts` row and
/// the record changes of one delivery, written in one transaction, so a
/// delivery is applied exactly once or not at all.
extension Store {
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

    /// Writes the receipt of a delivery to the active sources of `locationId`
    /// (named after the oldest), then runs `apply` with the writes it may make,
    /// in the same transaction: anything `apply` throws rolls the receipt back.
    /// An `installation` changes the agency's sources first; the receipt then
    /// goes to the sources it changed.
    public func receiveWebhook<T: Sendable>(webhookId: String, eventType: String, locationId: String, installation: AppInstallation? = nil,
                                  at date: Date, _ apply: @Sendable (WebhookWrites) throws -> T) async throws -> T {
        try await pool.write { db in
            let installed: [String]
            switch installation {
            case .uninstall(let companyId):
                installed = try Store.deactivateAgencySources(companyId: companyId, locationId: locationId, in: db)
            case .install(let companyId):
                installed = locationId.isEmpty ? []
                    : try Store.installAgencyLocation(companyId: companyId, locationId: locationId, in: db).map { [$0] } ?? []
            case nil:
                installed = []
            }
            let sources = try installed.isEmpty ? String.fetchAll(db, sql: """
                SELECT id FROM ghl_sources WHERE location_id = ? AND is_active = 1 ORDER BY created_at, id
                """, arguments: [locationId]) : installed
            guard let first = sources.first else { throw WebhookRefusal.unknownLocation(locationId) }
            do {
                try db.execute(sql: "INSERT INTO webhook_receipts (webhook_id, source_id, event_type, received_at) VALUES (?, ?, ?, ?)",
                               arguments: [webhookId, first, eventType, Timestamp.string(date)])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                // Only the receipt's key says "already received"; any other failure is the store's.
                throw WebhookRefusal.duplicate(webhookId: webhookId)
            }
            return try apply(WebhookWrites(db: db, sourceIds: sources, installed: installed, date: date))
        }
    }
}

/// What a webhook delivery may read and write, inside its receipt's transaction;
/// valid only during the `receiveWebhook` call that hands it out.
public struct WebhookWrites {
    let db: Database
    /// The active sources of the delivery's location, oldest first.
    public let sourceIds: [String]
    /// The sources an app install or uninstall made active or inactive.
    public let installed: [String]
    let date: Date

    /// A stored record of a source: its `raw` JSON and GHL update time.
    public struct Stored: Equatable, Sendable {
        public var raw: String
        public var ghlUpdatedAt: String?
    }

    public func stored(_ entity: Entity, sourceId: String, ghlId: String) throws -> Stored? {
        try Row.fetchOne(db, sql: "SELECT raw, ghl_updated_at FROM \(entity.table) WHERE source_id = ? AND \(entity.idColumn) = ?",
                         arguments: [sourceId, ghlId]).map { Stored(raw: $0["raw"], ghlUpdatedAt: $0["ghl_updated_at"]) }
    }

    /// Marks a live row deleted at the delivery's time; false when there was none.
    public func markDeleted(_ entity: Entity, sourceId: String, ghlId: String) throws -> Bool {
        try db.execute(sql: """
            UPDATE \(entity.table) SET deleted_at = ?1, updated_at = ?1, deleted_reason = 'deleted'
            WHERE source_id = ?2 AND \(entity.idColumn) = ?3 AND deleted_at IS NULL
            """, arguments: [Timestamp.string(date), sourceId, ghlId])
        return db.changesCount > 0
    }

    /// The source's sync filter; nil when it keeps everything.
    public func filter(of sourceId: String) throws -> SyncFilter? {
        try Source.fetchOne(db, key: sourceId)?.syncFilter()
    }

    /// `Store.markOutOfScope(_:sourceId:ids:)` in this transaction.
    public func markOutOfScope(_ entity: Entity, sourceId: String, ids: [String]) throws -> Int {
        try Store.markOutOfScope(entity, sourceId: sourceId, ids: ids, in: db)
    }

    /// `Store.upsert` in this transaction.
    @discardableResult
    public func upsert(_ entity: Entity, sourceId: String, records: [EntityRecord]) throws -> Int {
        try Store.upsert(entity, sourceId: sourceId, records: records, in: db)
    }
}
