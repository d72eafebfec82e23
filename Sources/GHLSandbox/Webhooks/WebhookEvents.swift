import GHLJSON
/// Turns a record change into the webhook payloads GHL sends for it (shared/ghl-api/webhooks):
/// one main event plus the specific ones for the fields that changed.
enum WebhookEvents {
    static func payloads(for change: RecordChange) -> [JSONValue] {
        guard let record = change.new ?? change.old else { return [] }
        switch change.entity {
        case .contacts:
            var types: [String] = [change.old == nil ? "ContactCreate" : change.new == nil ? "ContactDelete" : "ContactUpdate"]
            if let old = change.old, let new = change.new {
                if old["tags"] != new["tags"] { types.append("ContactTagUpdate") }
                if old["dnd"] != new["dnd"] || old["dndSettings"] != new["dndSettings"] { types.append("ContactDndUpdate") }
            }
            return types.map { contactPayload(type: $0, record, location: change.locationID) }
        case .opportunities:
            var types: [String] = [change.old == nil ? "OpportunityCreate" : change.new == nil ? "OpportunityDelete" : "OpportunityUpdate"]
            if let old = change.old, let new = change.new {
                if old["pipelineStageId"] != new["pipelineStageId"] { types.append("OpportunityStageUpdate") }
                if old["status"] != new["status"] { types.append("OpportunityStatusUpdate") }
                if old["monetaryValue"] != new["monetaryValue"] { types.append("OpportunityMonetaryValueUpdate") }
                if old["assignedTo"] != new["assignedTo"] { types.append("OpportunityAssignedToUpdate") }
            }
            return types.map { opportunityPayload(type: $0, record, location: change.locationID) }
        case .orders:
            if change.old == nil { return [orderPayload(type: "OrderCreate", record, location: change.locationID)] }
            if let old = change.old, let new = change.new, old["status"] != new["status"] {
                return [orderPayload(type: "OrderStatusUpdate", record, location: change.locationID)]
            }
            return []
        case .pipelines, .transactions, .reviews:
            return []
        }
    }

    private static func copy(_ keys: [String], from record: JSONValue, into payload: inout JSONValue) {
        for key in keys { if let value = record[key] { payload.set(key, value) } }
    }

    private static func contactPayload(type: String, _ record: JSONValue, location: String) -> JSONValue {
        var payload = JSONValue.object([])
        payload.set("type", .string(type))
        payload.set("locationId", .string(location))
        payload.set("id", record["id"])
        copy(["address1", "city", "state", "companyName", "country", "source", "dateAdded", "dateOfBirth", "dnd", "dndSettings", "email"],
            from: record, into: &payload)
        payload.set("name", record["contactName"])
        copy(["firstName", "lastName", "phone", "postalCode", "tags", "website"], from: record, into: &payload)
        payload.set("attachments", .array([]))
        copy(["assignedTo", "customFields"], from: record, into: &payload)
        return payload
    }

    private static func opportunityPayload(type: String, _ record: JSONValue, location: String) -> JSONValue {
        var payload = JSONValue.object([])
        payload.set("type", .string(type))
        payload.set("locationId", .string(location))
        copy(["id", "assignedTo", "contactId", "monetaryValue", "name", "pipelineId", "pipelineStageId", "source", "status"],
            from: record, into: &payload)
        payload.set("dateAdded", record["createdAt"])
        return payload
    }

    private static func orderPayload(type: String, _ record: JSONValue, location: String) -> JSONValue {
        var payload = JSONValue.object([])
        payload.set("type", .string(type))
        payload.set("locationId", .string(location))
        copy(["_id", "altId", "altType", "status", "fulfillmentStatus", "contactId", "currency", "amount", "liveMode"],
            from: record, into: &payload)
        payload.set("amountSummary", .object([
            JSONField(key: "discount", value: record["discount"] ?? .number(0)),
            JSONField(key: "subtotal", value: record["subtotal"] ?? record["amount"] ?? .number(0)),
        ]))
        copy(["createdAt", "updatedAt"], from: record, into: &payload)
        var snapshot = JSONValue.object([])
        snapshot.set("id", record["contactId"])
        snapshot.set("locationId", .string(location))
        snapshot.set("name", record["contactName"])
        snapshot.set("email", record["contactEmail"])
        payload.set("contactSnapshot", snapshot)
        payload.set("items", .array([]))
        return payload
    }
}
