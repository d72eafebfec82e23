import GHLJSON
import GHLSandbox
import Testing
@testable import GHLAPI

/// A record's `raw` (its canonical JSON) is how the store tells an unchanged record: the
/// client reads a page with one writer for all its records, and must produce for each the
/// very bytes that writing the record alone gives (`JSONValue.canonicalJSON`, which
/// `CanonicalWriterTests` holds to the form before).
@Suite(.serialized) struct RawRecordTests {
    @Test func everyRecordOfTheSandboxReadsToItsCanonicalJSON() async throws {
        try await SandboxClientTests.withSandbox(contacts: 1200, others: 520) { sandbox, location, client in
            for (resource, entity) in SandboxClientTests.entities {
                let stored = try sandbox.records(entity, location: location.locationID)
                let expected = Dictionary(uniqueKeysWithValues: stored.map { ($0[entity.idKey]!.stringValue!, $0.canonicalJSON) })
                let records = try await client.allPages(resource).flatMap(\.records)
                #expect(records.count == stored.count, "\(resource)")
                for record in records {
                    #expect(record.canonicalJSON == expected[record.id], "\(resource) \(record.id)")
                    #expect(record.canonicalJSON == JSONValue.object(record.object).canonicalJSON)
                }
            }
        }
    }

    @Test func aPageOfVariedRecordsReadsAsEachAlone() throws {
        let elements = try JSONValue(parsing: #"""
            [{"id":"a","b":1,"a":{"y":"é","x":[2,1]},"searchAfter":[1,"a"]},
             {"a":{"x":[],"y":null},"id":"b","searchAfter":[2,"b"]},
             {"id":"c","K":1,"\u212A":2,"e\u0301":3,"\u00e9":4,"searchAfter":[3,"c"]},
             {"id":"d","b":1,"b":2,"a":"\"q\"\n","searchAfter":[4,"d"]}]
            """#).arrayValue!
        let (records, malformed) = GHLRecord.read(elements, as: .contacts)
        #expect(malformed.isEmpty)
        for (record, element) in zip(records, elements) {
            var object = element.objectValue!
            object["searchAfter"] = nil
            #expect(record.object == object)
            #expect(record.canonicalJSON == JSONValue.object(object).canonicalJSON)
        }
        #expect(records.map(\.canonicalJSON) == [
            #"{"a":{"x":[2,1],"y":"é"},"b":1,"id":"a"}"#, #"{"a":{"x":[],"y":null},"id":"b"}"#,
            #"{"\#u{212A}":2,"id":"c","\#u{E9}":4}"#, #"{"a":"\"q\"\n","b":2,"id":"d"}"#,
        ])
    }
}
