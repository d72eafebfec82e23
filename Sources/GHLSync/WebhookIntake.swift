import Foundation
import GHLAPI
import GHLStore
import GHLJSON

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
    public let store: any WebhookStore
    public let keys: WebhookKeys
    /// How old (or how far in the future) a `timestamp` may be.
    public let window: TimeInterval
    private let now: @Sendable () -> Date

    public init(store: any WebhookStore, keys: WebhookKeys = .ghl, window: TimeInterval = 300,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.keys = keys
        self.window = window
        self.now = now
    }

    /// Handles one delivery: `header` looks up request headers by lowercase name.
    @discardableResult
    public func receive(body: [UInt8], header: (String) -> String?) async throws(WebhookError) -> WebhookReceipt {
        try keys.verify(body: body, ghlSignature: header("x-ghl-signature"), whSignature: header("x-wh-signature"))
        let event = try WebhookEvent(body: body)
        try checkWindow(event.timestamp)
        do {
            let applied = try await store.receiveWebhook(WebhookDelivery(webhookId: event.webhookId, eventType: event.type, locationId: event.locationId,
                                                                         installation: event.appInstallation, change: change(of: event)), at: now())
            return WebhookReceipt(webhookId: event.webhookId, eventType: event.type, sourceIds: applied.sourceIds,
                                  outcome: outcome(of: event, applied))
        } catch let error as WebhookError {
            throw error
        } catch Store.WebhookRefusal.unknownLocation(let location) {
            throw .unknownLocation(location)
        } catch Store.WebhookRefusal.duplicate(let webhookId) {
            throw .duplicate(webhookId: webhookId)
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

    private func change(of event: WebhookEvent) -> WebhookDelivery.Change? {
        switch event.action {
        case nil: nil
        case .delete(let entity): .delete(entity, ghlId: event.recordId)
        case .upsert(let entity): .upsert(entity, ghlId: event.recordId) { stored, filter in try Self.merge(event, entity, stored, filter) }
        }
    }

    /// The delivery's outcome: its change's in the last of its sources.
    private func outcome(of event: WebhookEvent, _ applied: WebhookApplied) -> WebhookReceipt.Outcome {
        guard case let .some(action) = event.action, let write = applied.writes.last else {
            let installed = applied.installed
            return .acknowledged(installed.isEmpty ? "\(event.type) changes no table ghlsync keeps"
                : "\(event.installation == .install ? "app installed: active" : "app uninstalled: inactive") source(s) \(installed.joined(separator: ", "))")
        }
        let entity = switch action { case .delete(let entity), .upsert(let entity): entity }
        switch write {
        case .deleted(let found): return found ? .deleted(entity, event.recordId) : .acknowledged("no stored \(entity.rawValue) record \(event.recordId)")
        case .upserted: return .upserted(entity, event.recordId)
        case .outOfScope(let marked):
            return .acknowledged("the \(entity.rawValue) record is outside the source's filter" + (marked > 0 ? ": marked out of scope" : ""))
        case .skipped(let reason): return .acknowledged(reason)
        }
    }

    /// The event's fields merged onto the stored record, judged by its GHL update time and the source's filter.
    private static func merge(_ event: WebhookEvent, _ entity: Entity, _ stored: WebhookStoredRecord?,
                              _ filter: SyncFilter?) throws -> WebhookUpsert {
        var merged: JSONObject = [:]
        if let raw = stored?.raw, let object = (try? JSONValue(parsing: raw))?.objectValue { merged = object }
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
        if let storedTime = stored?.ghlUpdatedAt, let eventTime = record.ghlUpdatedAt, eventTime < storedTime {
            return .skip("the stored \(entity.rawValue) record is newer than this event")
        }
        if let filter, !filter.keeps(entity, merged, mapped: record) { return .outOfScope }
        return .write(record)
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
