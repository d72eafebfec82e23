import Foundation
import GHLStore
import PostgresNIO

/// GHL's webhook deliveries on PostgreSQL, with the file's semantics
/// (`Store.receiveWebhook`): the app's install or uninstall, the receipt in
/// `webhook_receipts` and the record's change to each source in one
/// transaction; a receipt already there (`ON CONFLICT DO NOTHING`, which
/// waits for a concurrent delivery of the same id) refuses the delivery, and
/// deliveries of one record are serialised by a transaction-scoped advisory lock.
/// An upsert reads the stored row `FOR UPDATE`: a sync page that commits the
/// record between that read and the write (the sync takes no advisory lock)
/// would otherwise be overwritten with the older row the webhook merged onto.
extension PostgresStore: WebhookStore {
    public func receiveWebhook(_ delivery: WebhookDelivery, at date: Date) async throws -> WebhookApplied {
        try await transaction { connection in
            let installed: [String]
            switch delivery.installation {
            case .uninstall(let companyId):
                installed = try await deactivateAgencySources(companyId: companyId, locationId: delivery.locationId, on: connection)
            case .install(let companyId):
                installed = delivery.locationId.isEmpty ? []
                    : try await installAgencyLocation(companyId: companyId, locationId: delivery.locationId, on: connection).map { [$0] } ?? []
            case nil:
                installed = []
            }
            let sources = installed.isEmpty
                ? try await sources(where: "location_id = $1 AND is_active", [delivery.locationId], on: connection).map(\.id) : installed
            guard let first = sources.first else { throw Store.WebhookRefusal.unknownLocation(delivery.locationId) }
            let received = try await count(connection.query("""
                INSERT INTO webhook_receipts (webhook_id, source_id, event_type, received_at)
                VALUES (\(delivery.webhookId), \(first), \(delivery.eventType), \(date))
                ON CONFLICT (webhook_id) DO NOTHING RETURNING 1
                """, logger: logger))
            guard received == 1 else { throw Store.WebhookRefusal.duplicate(webhookId: delivery.webhookId) }
            var writes: [WebhookWrite] = []
            if let change = delivery.change {
                for source in sources { writes.append(try await apply(change, sourceId: source, at: date, on: connection)) }
            }
            return WebhookApplied(sourceIds: sources, installed: installed, writes: writes)
        }
    }

    private func apply(_ change: WebhookDelivery.Change, sourceId: String, at date: Date,
                       on connection: PostgresConnection) async throws -> WebhookWrite {
        switch change {
        case .delete(let entity, let ghlId):
            try await lockRecord(entity, ghlId, sourceId: sourceId, on: connection)
            let marked = try await count(connection.query(PostgresQuery(unsafeSQL: """
                UPDATE \(entity.table) SET deleted_at = $1, updated_at = $1, deleted_reason = 'deleted'
                WHERE source_id = $2 AND \(entity.idColumn) = $3 AND deleted_at IS NULL
                RETURNING 1
                """, binds: Self.bindings(date, sourceId, ghlId)), logger: logger))
            return .deleted(found: marked > 0)
        case .upsert(let entity, let ghlId, let decide):
            // The advisory lock covers a row that does not exist yet; `FOR UPDATE` an existing row against the sync's writes too.
            try await lockRecord(entity, ghlId, sourceId: sourceId, on: connection)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT raw::text, \(Self.timestampText("ghl_updated_at")) FROM \(entity.table) WHERE source_id = $1 AND \(entity.idColumn) = $2
                FOR UPDATE
                """, binds: Self.bindings(sourceId, ghlId)), logger: logger)
            var stored: WebhookStoredRecord?
            for try await (raw, updated) in rows.decode((String, String?).self) { stored = WebhookStoredRecord(raw: raw, ghlUpdatedAt: updated) }
            let filter = try await sources(where: "id = $1", [sourceId], on: connection).first?.syncFilter()
            switch try decide(stored, filter) {
            case .write(let record):
                try await upsert(entity, sourceId: sourceId, records: [record], on: connection)
                return .upserted
            case .outOfScope:
                return .outOfScope(marked: try await markOutOfScope(entity, sourceId: sourceId, ids: [ghlId], on: connection))
            case .skip(let reason):
                return .skipped(reason)
            }
        }
    }

    /// Deliveries of one record take turns, as on the file, so that none merges
    /// onto, or deletes under, a row another is changing.
    private func lockRecord(_ entity: Entity, _ ghlId: String, sourceId: String, on connection: PostgresConnection) async throws {
        try await lock("webhook", "\(sourceId):\(entity.rawValue):\(ghlId)", on: connection)
    }
}
