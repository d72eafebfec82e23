import Foundation

/// What the webhook intake needs from a database, so one intake (GHLSync's
/// `WebhookIntake`) writes GHL's deliveries into the SQLite file (`Store`) and
/// into PostgreSQL (`PostgresStore`) with the same semantics: the receipt, an
/// app install's or uninstall's sources and the record's change in one
/// transaction, so a delivery is applied exactly once or not at all.
public protocol WebhookStore: Sendable {
    /// Applies an `installation` to the agency's sources, writes the receipt to the
    /// sources it changed (else the active sources of the location, named after the
    /// oldest), then the `change` to each of those sources; throws
    /// `Store.WebhookRefusal` before anything is written, and whatever `decide`
    /// throws rolls everything back.
    func receiveWebhook(_ delivery: WebhookDelivery, at date: Date) async throws -> WebhookApplied
}

/// One signed delivery as the store writes it.
public struct WebhookDelivery: Sendable {
    /// What the delivery does to its record in each of its sources.
    public enum Change: Sendable {
        /// The live row is marked deleted at the delivery's time.
        case delete(Entity, ghlId: String)
        /// `decide` judges the event against the source's stored row and filter, inside the transaction.
        case upsert(Entity, ghlId: String, decide: @Sendable (_ stored: WebhookStoredRecord?, _ filter: SyncFilter?) throws -> WebhookUpsert)
    }

    public var webhookId: String
    public var eventType: String
    public var locationId: String
    public var installation: Store.AppInstallation?
    public var change: Change?

    public init(webhookId: String, eventType: String, locationId: String, installation: Store.AppInstallation? = nil, change: Change? = nil) {
        self.webhookId = webhookId
        self.eventType = eventType
        self.locationId = locationId
        self.installation = installation
        self.change = change
    }
}

/// A source's stored row of the delivery's record: its `raw` JSON and GHL update time.
public struct WebhookStoredRecord: Equatable, Sendable {
    public var raw: String
    public var ghlUpdatedAt: String?

    public init(raw: String, ghlUpdatedAt: String?) {
        self.raw = raw
        self.ghlUpdatedAt = ghlUpdatedAt
    }
}

/// What `decide` asks of an upsert.
public enum WebhookUpsert: Sendable {
    /// Write the merged record (only when it changed, as a sync writes).
    case write(EntityRecord)
    /// The source's filter excludes the record: mark a live row of it out of scope.
    case outOfScope
    /// Write nothing, for this reason.
    case skip(String)
}

/// What a delivery's change did in one source.
public enum WebhookWrite: Sendable, Equatable {
    case deleted(found: Bool)
    case upserted
    case outOfScope(marked: Int)
    case skipped(String)
}

/// What the store did with a delivery.
public struct WebhookApplied: Sendable, Equatable {
    /// The sources the receipt went to, oldest first.
    public var sourceIds: [String]
    /// The sources an app install or uninstall made active or inactive.
    public var installed: [String]
    /// The change's outcome in each of `sourceIds`, in order (empty without a change).
    public var writes: [WebhookWrite]

    public init(sourceIds: [String], installed: [String], writes: [WebhookWrite]) {
        self.sourceIds = sourceIds
        self.installed = installed
        self.writes = writes
    }
}
