import GHLAPI
import GHLStore
import GRDB
import GHLJSON

/// GHL JSON record -> row of its entity table (`Entity.columns`).
///
/// Field names follow GHL's API responses and, where they differ, its webhook
/// payloads (an order's contact comes as `contactSnapshot` in `OrderCreate`).
public enum RecordMapping {
    public typealias Object = JSONObject

    /// Maps a record the client read; its id and canonical JSON come with it
    /// (without search's paging cursor, which the client leaves out).
    public static func map(_ entity: Entity, _ record: GHLRecord) -> EntityRecord {
        row(entity, id: record.id, object: record.object, raw: record.canonicalJSON)
    }

    /// Maps a bare JSON object (a webhook payload); throws when it has no usable id.
    public static func map(_ entity: Entity, object: Object) throws(MappingError) -> EntityRecord {
        guard let id = GHLRecord.id(object["id"] ?? object["_id"]) else {
            throw MappingError(entity: entity, reason: "the record has no id")
        }
        return row(entity, id: id, object: object, raw: JSONValue.object(object).canonicalJSON)
    }

    static func row(_ entity: Entity, id: String, object o: Object, raw: String) -> EntityRecord {
        let created = o.timestamp("dateAdded", "createdAt")
        // A create webhook carries no dateUpdated: a record never updated last changed when it was created.
        return EntityRecord(ghlId: id, values: values(entity, o), raw: raw, ghlCreatedAt: created,
                            ghlUpdatedAt: o.timestamp("dateUpdated", "updatedAt") ?? created)
    }

    private static func values(_ entity: Entity, _ o: Object) -> [String: DatabaseValue] {
        switch entity {
        case .contacts:
            ["first_name": o.text(["firstName"]), "last_name": o.text(["lastName"]),
             "contact_name": o.text(["contactName"], ["name"]), "email": o.text(["email"]),
             "phone": o.text(["phone"]), "company_name": o.text(["companyName"]), "source": o.text(["source"]),
             "contact_type": o.text(["type"]), "assigned_to": o.text(["assignedTo"]), "city": o.text(["city"]),
             "state": o.text(["state"]), "country": o.text(["country"]), "tags": o.json("tags"), "dnd": o.flag("dnd")]
        case .opportunities:
            ["name": o.text(["name"]), "pipeline_id": o.text(["pipelineId"]),
             "pipeline_stage_id": o.text(["pipelineStageId"]), "status": o.text(["status"]),
             "monetary_value": o.real(["monetaryValue"]), "contact_id": o.text(["contactId"], ["contact", "id"]),
             "assigned_to": o.text(["assignedTo"]), "source": o.text(["source"]),
             "last_status_change_at": o.timestamp("lastStatusChangeAt").databaseValue,
             "last_stage_change_at": o.timestamp("lastStageChangeAt").databaseValue]
        case .pipelines:
            ["name": o.text(["name"]), "stages": o.json("stages")]
        case .orders:
            ["contact_id": o.text(["contactId"], ["contactSnapshot", "id"]),
             "contact_name": o.text(["contactName"], ["contactSnapshot", "name"]),
             "contact_email": o.text(["contactEmail"], ["contactSnapshot", "email"]),
             "currency": o.text(["currency"]), "amount": o.real(["amount"]), "status": o.text(["status"]),
             "source_type": o.text(["sourceType"], ["source", "type"]),
             "fulfillment_status": o.text(["fulfillmentStatus"]), "live_mode": o.flag("liveMode")]
        case .payments:
            ["contact_id": o.text(["contactId"]), "contact_name": o.text(["contactName"]),
             "contact_email": o.text(["contactEmail"]), "currency": o.text(["currency"]),
             "amount": o.real(["amount"]), "amount_refunded": o.real(["amountRefunded"]),
             "status": o.text(["status"]), "entity_type": o.text(["entityType"]), "entity_id": o.text(["entityId"]),
             "payment_provider": o.text(["paymentProviderType"], ["paymentProvider", "type"]),
             "live_mode": o.flag("liveMode")]
        case .reviews:
            ["product_id": o.text(["productId"]), "rating": o.real(["rating"]), "headline": o.text(["headline"]),
             "detail": o.text(["detail"]), "status": o.text(["status"]),
             "reviewer_name": o.text(["reviewer", "name"], ["user", "name"], ["name"]),
             "reviewer_email": o.text(["reviewer", "email"], ["user", "email"], ["email"])]
        }
    }
}

/// A record that cannot become a row: reported and skipped, never half-written.
public struct MappingError: Error, CustomStringConvertible, Sendable {
    public var entity: Entity
    public var reason: String
    public var description: String { "cannot map \(entity.rawValue) record: \(reason)" }
}
