import GHLAPI
import GHLStore
import GHLSync
import Testing
import GHLJSON

@Suite struct RecordMappingTests {
    @Test func contactColumnsTimestampsAndRaw() throws {
        let object: JSONObject = [
            "id": "c1", "firstName": "Ann", "lastName": "Lee", "email": "ann@example.com", "tags": ["vip", "new"],
            "dnd": true, "dateAdded": "2024-03-01T10:00:00+02:00", "dateUpdated": 1_709_290_800_000,
            "customFields": [["id": "f", "value": "x"]], "city": .null,
        ]
        let record = try RecordMapping.map(.contacts, object: object)
        #expect(record.ghlId == "c1")
        #expect(record.values["first_name"] == .text("Ann"))
        #expect(record.values["tags"] == .text(#"["vip","new"]"#))
        #expect(record.values["dnd"] == .integer(1))
        #expect(record.values["city"] == .null)
        #expect(record.ghlCreatedAt == "2024-03-01T08:00:00.000Z")
        #expect(record.ghlUpdatedAt == "2024-03-01T11:00:00.000Z")
        #expect(record.raw == JSONValue.object(object).canonicalJSON)
    }

    @Test func wronglyTypedFieldsBecomeNullOrTheirFaithfulValue() throws {
        let record = try RecordMapping.map(.opportunities, object: [
            "id": "o1", "monetaryValue": "125.50", "status": 3, "pipelineId": ["not", "a", "string"],
            "contact": ["id": "c9"], "createdAt": "not a date",
        ])
        #expect(record.values["monetary_value"] == .real(125.5))
        #expect(record.values["status"] == .text("3"))
        #expect(record.values["pipeline_id"] == .null)
        #expect(record.values["contact_id"] == .text("c9"))
        #expect(record.ghlCreatedAt == nil)
    }

    @Test func pipelinesKeepStagesAsJSON() throws {
        let record = try RecordMapping.map(.pipelines, object: [
            "id": "p1", "name": "Sales", "stages": [["id": "s1", "name": "New", "position": 0]],
        ])
        #expect(record.values["stages"] == .text(#"[{"id":"s1","name":"New","position":0}]"#))
    }

    @Test func ordersAndPaymentsUseUnderscoreIdsAndWebhookShapes() throws {
        let order = try RecordMapping.map(.orders, object: [
            "_id": "or1", "amount": 150.1, "liveMode": false, "source": ["type": "website"],
            "contactSnapshot": ["id": "c1", "email": "x@y.z"],
        ])
        #expect(order.ghlId == "or1")
        #expect(order.values["source_type"] == .text("website"))
        #expect(order.values["contact_email"] == .text("x@y.z"))
        #expect(order.values["live_mode"] == .integer(0))
        let payment = try RecordMapping.map(.payments, object: ["_id": "t1", "status": ["code": "x"], "amountRefunded": 2])
        #expect(payment.values["status"] == .null)
        #expect(payment.values["amount_refunded"] == .real(2.0))
    }

    @Test func aRecordWithoutIdIsRefused() {
        #expect(throws: MappingError.self) { try RecordMapping.map(.reviews, object: ["rating": 5]) }
    }
}
