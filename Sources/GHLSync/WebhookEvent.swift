import Foundation
import GHLAPI
import GHLStore

/// A parsed GHL webhook delivery: envelope fields and what it does to the store.
struct WebhookEvent {
    enum Action {
        case upsert(Entity)
        case delete(Entity)
    }

    var type: String
    var webhookId: String
    var timestamp: Date
    var locationId: String
    /// The record's fields, without the delivery envelope (`type`, `webhookId`, `timestamp`).
    var fields: [String: JSONValue]
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
        guard let location, !location.isEmpty else { throw .malformed("no locationId") }
        for key in ["type", "webhookId", "timestamp"] { object.removeValue(forKey: key) }
        let action = Self.actions[type]
        let id = (object["id"] ?? object["_id"])?.stringValue ?? ""
        if action != nil && id.isEmpty { throw .malformed("\(type) without a record id") }
        self.type = type
        self.webhookId = webhookId
        self.timestamp = time
        self.locationId = location
        self.fields = object
        self.action = action
        self.recordId = id
    }
}
