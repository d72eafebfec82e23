import GHLJSON
/// Fills in what GHL itself sets on records created or changed through the admin API: ids,
/// owning location, timestamps, and fields derived from others (a contact's lowercase names,
/// an opportunity's last status and stage change times).
enum RecordShaper {
    static func newRecord(_ entity: SandboxEntity, id: String, fields: JSONValue, context: LocationContext, now: Int64) -> JSONValue {
        var record = JSONValue.object([JSONField(key: entity.idKey, value: .string(id))])
        let owned: Set<String> = [entity.idKey, entity.createdKey, entity.updatedKey]
        for field in fields.objectValue ?? [] where !owned.contains(field.key) {
            record.set(field.key, field.value)
        }
        let location = JSONValue.string(context.locationID)
        switch entity {
        case .contacts:
            record.set("locationId", location)
            if record["tags"] == nil { record.set("tags", .array([])) }
            if record["customFields"] == nil { record.set("customFields", .array([])) }
        case .opportunities, .pipelines:
            record.set("locationId", location)
            if entity == .opportunities, record["status"] == nil { record.set("status", .string("open")) }
            if entity == .pipelines, record["stages"] == nil { record.set("stages", .array([])) }
        case .orders, .transactions, .reviews:
            record.set("altId", location)
            record.set("altType", .string("location"))
        }
        let time = JSONValue.string(SandboxTime.iso8601(now))
        record.set(entity.createdKey, time)
        record.set(entity.updatedKey, time)
        if entity == .transactions, record["fulfilledAt"] == nil { record.set("fulfilledAt", time) }
        if entity == .orders, record["status"] == nil { record.set("status", .string("pending")) }
        if entity == .orders, record["sourceType"] == nil { record.set("sourceType", .string("manual")) }
        if entity == .transactions, record["entitySourceType"] == nil { record.set("entitySourceType", .string("manual")) }
        if entity == .transactions, record["status"] == nil { record.set("status", .string("succeeded")) }
        return record
    }

    static func derive(_ entity: SandboxEntity, old: JSONValue?, new: JSONValue, now: Int64) -> JSONValue {
        var record = new
        let time = JSONValue.string(SandboxTime.iso8601(now))
        switch entity {
        case .contacts:
            let nameChanged = old == nil || old?["firstName"] != new["firstName"] || old?["lastName"] != new["lastName"]
            if nameChanged {
                let first = new["firstName"]?.stringValue
                let last = new["lastName"]?.stringValue
                let full = [first, last].compactMap { $0 }.joined(separator: " ")
                record.set("contactName", full.isEmpty ? nil : .string(full))
                record.set("firstNameLowerCase", first.map { .string($0.lowercased()) })
                record.set("lastNameLowerCase", last.map { .string($0.lowercased()) })
                record.set("fullNameLowerCase", full.isEmpty ? nil : .string(full.lowercased()))
            }
            if old?["email"] != new["email"] {
                record.set("emailLowerCase", new["email"]?.stringValue.map { .string($0.lowercased()) })
            }
        case .opportunities:
            if old == nil || old?["status"] != new["status"] { record.set("lastStatusChangeAt", time) }
            if old == nil || old?["pipelineStageId"] != new["pipelineStageId"] { record.set("lastStageChangeAt", time) }
            record.set("lastActionDate", time)
        default:
            break
        }
        return record
    }

    /// Whether a fault kind reshapes the first record of a page.
    static func reshapes(_ kind: FaultKind) -> Bool {
        [.wrongFieldTypes, .looseFieldTypes, .recordWithoutId].contains(kind)
    }

    static func reshaped(_ record: JSONValue, by kind: FaultKind) -> JSONValue {
        switch kind {
        case .looseFieldTypes: withLooseTypes(record)
        case .recordWithoutId: withoutId(record)
        default: withWrongTypes(record)
        }
    }

    /// A copy of a record without its id field (`id` or `_id`).
    static func withoutId(_ record: JSONValue) -> JSONValue {
        var anonymous = record
        for key in ["id", "_id"] { anonymous.set(key, nil) }
        return anonymous
    }

    /// A copy of a record with the same values in other JSON types: ISO times as epoch
    /// milliseconds, numbers as numeric strings, booleans as `"true"`/`"false"`.
    static func withLooseTypes(_ record: JSONValue) -> JSONValue {
        var loose = record
        for field in record.objectValue ?? [] {
            switch field.value {
            case .string(let text) where text.count == 24 && text.hasSuffix("Z"):
                if let ms = SandboxTime.parse(text) { loose.set(field.key, .number(Double(ms))) }
            case .number(let number):
                loose.set(field.key, .string(JSONValue.number(number).encodedString))
            case .bool(let flag):
                loose.set(field.key, .string(flag ? "true" : "false"))
            default:
                break
            }
        }
        return loose
    }

    /// A copy of a record with some fields of the wrong JSON type, as GHL occasionally serves
    /// (a number where a string belongs, a string where an array belongs).
    static func withWrongTypes(_ record: JSONValue) -> JSONValue {
        var broken = record
        for field in record.objectValue ?? [] {
            switch field.value {
            case .string where ["id", "_id"].contains(field.key) == false:
                broken.set(field.key, .number(12345))
            case .number:
                broken.set(field.key, .string("not-a-number"))
            case .array:
                broken.set(field.key, .string("oops"))
            case .bool:
                broken.set(field.key, .string("yes"))
            default:
                break
            }
        }
        return broken
    }
}
