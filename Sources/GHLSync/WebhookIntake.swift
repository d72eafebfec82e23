import Foundation
import GHLAPI
import GHLStore
import GRDB

/// GHL webhook deliveries -> the store: the seed's "future enhancement".
///
/// Order of checks: the signature over the raw bytes first (nothing is parsed
/// from an unsigned body), then the JSON, the `timestamp` window and the
/// `webhookId`. The receipt and the change are written in one transaction, so
/// a delivery is applied exactly once or not at all; a duplicate id hits the
/// receipt's primary key and rolls everything back.
///
/// Record events are merged onto the stored record (webhook payloads carry
/// fewer fields than the API), and an event older than the stored record's
/// GHL update time is acknowledged without being applied. The next sync
/// brings the API's full version either way. A record the source's filter
/// excludes is not written (a stored row of it is marked out of scope).
public final class WebhookIntake: Sendable {
    public let store: Store
    public let keys: WebhookKeys
    /// How old (or how far in the future) a `timestamp` may be.
    public let window: TimeInterval
    private let now: @Sendable () -> Date

    public init(store: Store, keys: WebhookKeys = .ghl, window: TimeInterval = 300,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.keys = keys
        self.window = window
        self.now = now
    }

    /// Handles one delivery: `header` looks up request headers by lowercase name.
    @discardableResult
    public func receive(body: [UInt8], header: (String) -> String?) throws(WebhookError) -> WebhookReceipt {
        try keys.verify(body: body, ghlSignature: header("x-ghl-signature"), whSignature: header("x-wh-signature"))
        let event = try WebhookEvent(body: body)
        try checkWindow(event.timestamp)
        do {
            return try store.pool.write { db in try apply(event, in: db) }
        } catch let error as WebhookError {
            throw error
        } catch let error as MappingError {
            throw .malformed(error.description)
        } catch {
            throw .unavailable("could not store the event: \(error)")
        }
    }

    private func checkWindow(_ timestamp: Date) throws(WebhookError) {
        let age = now().timeIntervalSince(timestamp)
        if age > window { throw .stale("timestamp \(Timestamp.string(timestamp)) is \(Int(age)) s old; the limit is \(Int(window)) s") }
        if age < -window { throw .stale("timestamp \(Timestamp.string(timestamp)) is in the future") }
    }

    private func apply(_ event: WebhookEvent, in db: Database) throws -> WebhookReceipt {
        let installed = try event.installation.map { try apply($0, of: event, in: db) } ?? []
        let sources = try installed.isEmpty
            ? String.fetchAll(db, sql: "SELECT id FROM ghl_sources WHERE location_id = ? AND is_active = 1 ORDER BY created_at, id",
                              arguments: [event.locationId])
            : installed
        guard let first = sources.first else { throw WebhookError.unknownLocation(event.locationId) }
        do {
            try db.execute(sql: "INSERT INTO webhook_receipts (webhook_id, source_id, event_type, received_at) VALUES (?, ?, ?, ?)",
                           arguments: [event.webhookId, first, event.type, Timestamp.string(now())])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            // Only the receipt's key says "already received"; any other failure is the store's.
            throw WebhookError.duplicate(webhookId: event.webhookId)
        }
        var outcome = WebhookReceipt.Outcome.acknowledged(installed.isEmpty ? "\(event.type) changes no table ghlsync keeps"
            : "\(event.installation == .install ? "app installed: active" : "app uninstalled: inactive") source(s) \(installed.joined(separator: ", "))")
        if let action = event.action {
            for source in sources {
                outcome = try apply(action, of: event, source: source, in: db)
            }
        }
        return WebhookReceipt(webhookId: event.webhookId, eventType: event.type, sourceIds: sources, outcome: outcome)
    }

    /// `UNINSTALL` makes the sources that reached the location through the agency's app inactive;
    /// `INSTALL` makes the agency's source of it active, adding one if needed. The sources changed.
    private func apply(_ installation: WebhookEvent.Installation, of event: WebhookEvent, in db: Database) throws -> [String] {
        switch installation {
        case .uninstall:
            return try Store.deactivateAgencySources(companyId: event.companyId, locationId: event.locationId, in: db)
        case .install:
            guard let companyId = event.companyId, !event.locationId.isEmpty else { return [] }
            return try Store.installAgencyLocation(companyId: companyId, locationId: event.locationId, in: db).map { [$0] } ?? []
        }
    }

    private func apply(_ action: WebhookEvent.Action, of event: WebhookEvent, source: String,
                       in db: Database) throws -> WebhookReceipt.Outcome {
        let time = Timestamp.string(now())
        switch action {
        case .delete(let entity):
            try db.execute(sql: """
                UPDATE \(entity.table) SET deleted_at = ?1, updated_at = ?1, deleted_reason = 'deleted'
                WHERE source_id = ?2 AND \(entity.idColumn) = ?3 AND deleted_at IS NULL
                """, arguments: [time, source, event.recordId])
            return db.changesCount > 0 ? .deleted(entity, event.recordId) : .acknowledged("no stored \(entity.rawValue) record \(event.recordId)")
        case .upsert(let entity):
            let stored = try Row.fetchOne(db, sql: "SELECT raw, ghl_updated_at FROM \(entity.table) WHERE source_id = ? AND \(entity.idColumn) = ?",
                                          arguments: [source, event.recordId])
            var merged: [String: JSONValue] = [:]
            if let raw: String = stored?["raw"], let object = (try? JSONValue(parsing: raw))?.objectValue { merged = object }
            let fields = event.fields(as: entity)
            // A stored record's change of status or stage happened at the event's time, as far as this payload tells.
            for (field, time) in WebhookEvent.changeTimes[entity] ?? [:] where stored != nil && fields[time] == nil
                && fields[field] != nil && fields[field] != merged[field] {
                merged[time] = .string(Timestamp.string(event.timestamp))
            }
            merged.merge(fields) { _, new in new }
            var record = try RecordMapping.map(entity, object: merged)
            // The payload carries no update time, so the merged one is the stored
            // record's: the event's own time says which GHL version this row now is,
            // and the next sync's copy of that version then rewrites `raw` without
            // a second broadcast (see ChangeCapture). A new record's time is its creation's.
            if stored != nil, !event.carriesUpdateTime { record.ghlUpdatedAt = Timestamp.string(event.timestamp) }
            if let storedTime: String = stored?["ghl_updated_at"], let eventTime = record.ghlUpdatedAt, eventTime < storedTime {
                return .acknowledged("the stored \(entity.rawValue) record is newer than this event")
            }
            if let filter = try Source.fetchOne(db, key: source)?.syncFilter(), !filter.keeps(entity, merged, mapped: record) {
                let marked = try Store.markOutOfScope(entity, sourceId: source, ids: [record.ghlId], in: db)
                return .acknowledged("the \(entity.rawValue) record is outside the source's filter" + (marked > 0 ? ": marked out of scope" : ""))
            }
            try Store.upsert(entity, sourceId: source, records: [record], in: db)
            return .upserted(entity, event.recordId)
        }
    }
}

/// What a delivery did.
public struct WebhookReceipt: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case upserted(Entity, String)
        case deleted(Entity, String)
        /// Stored as received, no table changed (and why).
        case acknowledged(String)
    }

    public var webhookId: String
    public var eventType: String
    public var sourceIds: [String]
    public var outcome: Outcome
}
