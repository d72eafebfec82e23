import Foundation
import GHLAPI
import GHLStore
import GHLJSON

/// A parsed GHL webhook delivery: envelope fields and what it does to the store.
struct WebhookEvent {
    enum Action {
        case upsert(Entity)
        case delete(Entity)
    }

    /// The agency's app installed on, or uninstalled from, a location (or, with no location, the agency).
    enum Installation {
        case install
        case uninstall
    }

    var type: String
    var webhookId: String
    var timestamp: Date
    /// Empty for an agency-level app event.
    var locationId: String
    var companyId: String?
    var installation: Installation?
    /// The record's fields, without the delivery envelope (`type`, `webhookId`, `timestamp`).
    var fields: JSONObject
    var action: Action?
    var recordId: String

    /// The events ghlsync applies; any other signed event is acknowledged.
    static let actions: [String: Action] = [
        "ContactCreate": .upsert(.contacts), "ContactUpdate": .upsert(.contacts),
        "ContactTagUpdate": .upsert(.contacts), "ContactDndUpdate": .upsert(.contacts),
        "ContactDelete": .delete(.contacts),
        "OpportunityCreate": .upsert(.opportunities), "OpportunityUpdate": .upsert(.opportunities),
        "OpportunityStageUpdate": .upsert(.opportunities), "OpportunityStatusUpdate": .upsert(.opportunities),
        "OpportunityMonetaryValueUpdate": .upsert(.opportunities),
        "OpportunityAssignedToUpdate": .upsert(.opportunities),
        "OpportunityDelete": .delete(.opportunities),
        "OrderCreate": .upsert(.orders), "OrderStatusUpdate": .upsert(.orders),
    ]

    /// What the store does to the agency's sources for an app event; nil for
    /// other events, and for an install naming no company (no agency to add to).
    var appInstallation: Store.AppInstallation? {
        switch installation {
        case .install: companyId.map { .install(companyId: $0) }
        case .uninstall: .uninstall(companyId: companyId)
        case nil: nil
        }
    }

    /// GHL's AppInstall / AppUninstall events, whose `type` is `INSTALL` / `UNINSTALL` (shared/ghl-api/webhooks).
    static let installations: [String: Installation] = [
        "INSTALL": .install, "AppInstall": .install, "UNINSTALL": .uninstall, "AppUninstall": .uninstall,
    ]

    /// Webhook field names that differ from the API's for the same value
    /// (a contact's full name is `name` in its events, `contactName` in the API).
    static let apiNames: [Entity: [String: String]] = [.contacts: ["name": "contactName"]]

    /// The record's fields under the API's names, to merge onto a stored API record.
    func fields(as entity: Entity) -> JSONObject {
        guard let names = Self.apiNames[entity] else { return fields }
        var renamed = fields
        for (webhookName, apiName) in names {
            if let value = renamed.removeValue(forKey: webhookName) { renamed[apiName] = value }
        }
        return renamed
    }

    /// Fields whose change GHL times in another field the payloads leave out.
    static let changeTimes: [Entity: [String: String]] = [
        .opportunities: ["status": "lastStatusChangeAt", "pipelineStageId": "lastStageChangeAt"],
    ]

    /// Whether the payload says when the record last changed (most events do not).
    var carriesUpdateTime: Bool { fields["dateUpdated"] != nil || fields["updatedAt"] != nil }

    init(body: [UInt8]) throws(WebhookError) {
        guard let parsed = try? JSONValue(parsing: body) else { throw .malformed("the body is not JSON") }
        guard case .object(var object) = parsed else { throw .malformed("the body is a JSON \(parsed.typeName), not an object") }
        guard let type = object["type"]?.stringValue, !type.isEmpty else { throw .malformed("no event type") }
        guard let webhookId = object["webhookId"]?.stringValue, !webhookId.isEmpty else { throw .malformed("no webhookId") }
        guard let stamp = object["timestamp"] else { throw .malformed("no timestamp") }
        guard let time = GHLTime.normalize(stamp).flatMap(Timestamp.date) else {
            throw .malformed("timestamp \(stamp.canonicalJSON) is not a time")
        }
        let location = object["locationId"]?.stringValue
            ?? (object["altType"]?.stringValue == "location" ? object["altId"]?.stringValue : nil)
        let installation = Self.installations[type]
        let companyId = object["companyId"]?.stringValue
        if installation != nil, (location ?? "").isEmpty, (companyId ?? "").isEmpty {
            throw .malformed("\(type) names neither a locationId nor a companyId")
        }
        guard installation != nil || !(location ?? "").isEmpty else { throw .malformed("no locationId") }
        for key in ["type", "webhookId", "timestamp"] { object.removeValue(forKey: key) }
        let action = Self.actions[type]
        let id = (object["id"] ?? object["_id"])?.stringValue ?? ""
        if action != nil && id.isEmpty { throw .malformed("\(type) without a record id") }
        self.type = type
        self.webhookId = webhookId
        self.timestamp = time
        self.locationId = location ?? ""
        self.companyId = companyId
        self.installation = installation
        self.fields = object
        self.action = action
        self.recordId = id
    }
}
