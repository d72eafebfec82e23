import GHLSandbox
import Testing
import GHLJSON

@Suite struct DataTests {
    @Test func sameSeedSameData() throws {
        let a = try makeSandbox { $0.locations = 2 }
        let b = try makeSandbox { $0.locations = 2 }
        let c = try makeSandbox { $0.seed = 8; $0.locations = 2 }
        #expect(a.locations.map(\.locationID) == b.locations.map(\.locationID))
        #expect(a.locations.map(\.token) == b.locations.map(\.token))
        for entity in SandboxEntity.allCases {
            for location in a.locations.map(\.locationID) {
                #expect(try a.records(entity, location: location) == b.records(entity, location: location))
            }
        }
        #expect(a.locations[0].locationID != c.locations[0].locationID)
        // Changing one entity's count leaves the others alone.
        let d = try makeSandbox { $0.counts.reviews = 5 }
        let e = try makeSandbox()
        let location = d.locations[0].locationID
        #expect(try d.records(.contacts, location: location) == e.records(.contacts, location: location))
        #expect(try d.records(.reviews, location: location).count == 5)
    }

    @Test func recordsReferenceRealContactsAndStages() throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0].locationID
        let contacts = Set(try sandbox.records(.contacts, location: location).ids)
        var stages: [String: [String]] = [:]
        for pipeline in try sandbox.records(.pipelines, location: location) {
            stages[pipeline["id"]!.stringValue!] = pipeline["stages"]!.arrayValue!.map { $0["id"]!.stringValue! }
        }
        let opportunities = try sandbox.records(.opportunities, location: location)
        #expect(opportunities.count == 31)
        for opportunity in opportunities {
            #expect(contacts.contains(opportunity["contactId"]!.stringValue!))
            let pipelineStages = stages[opportunity["pipelineId"]!.stringValue!]!
            #expect(pipelineStages.contains(opportunity["pipelineStageId"]!.stringValue!))
            #expect(["open", "won", "lost", "abandoned"].contains(opportunity["status"]!.stringValue!))
        }
        for entity in [SandboxEntity.orders, .transactions] {
            for record in try sandbox.records(entity, location: location) {
                #expect(contacts.contains(record["contactId"]!.stringValue!))
                #expect(record["currency"]?.stringValue?.count == 3)
            }
        }
        for review in try sandbox.records(.reviews, location: location) {
            #expect((1...5).contains(review["rating"]!.doubleValue!))
            #expect(review["user"]?["name"]?.stringValue != nil)
        }
    }

    @Test func messyAndVaried() throws {
        let sandbox = try makeSandbox { $0.counts.contacts = 400 }
        let contacts = try sandbox.records(.contacts, location: sandbox.locations[0].locationID)
        #expect(contacts.contains { $0["email"] == nil })
        #expect(contacts.contains { $0["phone"] == nil })
        #expect(contacts.contains { ($0["firstName"]?.stringValue ?? "").unicodeScalars.contains { !$0.isASCII } })
        #expect(contacts.contains { ($0["customFields"]?.arrayValue ?? []).count > 0 })
        for tag in ["customer", "vip", "lead"] {
            #expect(contacts.contains { ($0["tags"]?.arrayValue ?? []).contains(.string(tag)) })
        }
        let transactions = try makeSandbox { $0.counts.transactions = 300 }
        let statuses = Set(try transactions.records(.transactions, location: transactions.locations[0].locationID).compactMap { $0["status"]?.stringValue })
        #expect(statuses.isSuperset(of: ["succeeded", "failed", "refunded"]))
    }

    @Test func changesBumpUpdateTimeAndKeepCreationTime() throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0].locationID
        let contact = try sandbox.records(.contacts, location: location)[0]
        let id = contact["id"]!.stringValue!
        let updated = try sandbox.update(.contacts, location: location, id: id, patch: ["firstName": "Ærin", "email": .null])
        #expect(updated["dateAdded"] == contact["dateAdded"])
        #expect(updated["dateUpdated"] != contact["dateUpdated"])
        #expect(updated["firstNameLowerCase"] == "ærin")
        #expect(updated["email"] == nil)
        #expect(try sandbox.record(.contacts, location: location, id: id) == updated)
        let again = try sandbox.update(.contacts, location: location, id: id, patch: ["lastName": "X"])
        #expect(again["dateUpdated"]!.stringValue! > updated["dateUpdated"]!.stringValue!)

        let created = try sandbox.create(.orders, location: location, fields: ["amount": 12.5, "currency": "EUR"])
        #expect(created["altId"]?.stringValue == location)
        #expect(try sandbox.records(.orders, location: location).last == created)
        try sandbox.delete(.orders, location: location, id: created["_id"]!.stringValue!)
        #expect(throws: SandboxError.self) { try sandbox.record(.orders, location: location, id: created["_id"]!.stringValue!) }
        #expect(throws: SandboxError.self) { try sandbox.delete(.orders, location: location, id: "missing") }
    }
}

@Suite struct SandboxTimeTests {
    @Test func formatsAndParsesGHLTimestamps() {
        #expect(SandboxTime.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(SandboxTime.iso8601(1_625_203_104_328) == "2021-07-02T05:18:24.328Z")
        #expect(SandboxTime.parse("2021-07-02T05:18:24.328Z") == 1_625_203_104_328)
        #expect(SandboxTime.parse("2021-07-02T07:18:24.328+02:00") == 1_625_203_104_328)
        #expect(SandboxTime.parse("2024-02-01") == SandboxTime.parse("02-01-2024"))
        #expect(SandboxTime.parse("1625203104328") == 1_625_203_104_328)
        #expect(SandboxTime.parse("yesterday") == nil)
    }
}

@Suite struct JSONValueTests {
    @Test func roundTripsEscapesAndUnicode() throws {
        let value: JSONValue = ["a\"b": "line\nbreak\t\"q\" \\ \u{01} Zoë 😀", "n": 12.5, "i": -3, "ok": true, "none": .null, "list": [1, "x"]]
        let text = value.encodedString
        #expect(text.contains(#"line\nbreak\t\"q\" \\ \u0001"#))
        #expect(try JSONValue(parsing: text) == value)
        #expect(try JSONValue(parsing: #"{"s":"\u00e9\ud83d\ude00"}"#)["s"] == "é😀")
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a":1,}"#) }
    }
}
