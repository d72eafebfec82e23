import Foundation
import Testing
@testable import GHLAPI
import GHLJSON

@Suite struct GHLRecordReadTests {
    @Test func recordsTolerateMissingNullAndUnknownFields() throws {
        let elements = try JSONValue(parsing: #"""
            [{"id":"c1","email":null,"brandNewField":{"deep":[1]}},
             {"id":"c2"},
             {"email":"no-id@example.com"},
             {"id":42},
             "not an object",
             {"id":"c3","tags":"vip"},
             {"id":"c4","dateUpdated":null,"tags":[]}]
            """#).arrayValue!
        let (records, malformed) = GHLRecord.read(elements, as: .contacts)
        // Only a record without a usable id is lost; a numeric id is read as text, a field of another type is reported.
        #expect(records.map(\.id) == ["c1", "c2", "42", "c3", "c4"])
        #expect(records[0]["brandNewField"]?["deep"] == [1])
        #expect(records[0].string("email") == nil && records[1].updatedAt == nil)
        #expect(records[0].canonicalJSON == #"{"brandNewField":{"deep":[1]},"email":null,"id":"c1"}"#)
        #expect(records[0].unexpectedTypes.isEmpty)
        #expect(records[3].unexpectedTypes == ["tags is a string, expected an array"])
        #expect(malformed.map(\.index) == [2, 4])
        #expect(malformed[0].reason == "no id")
        #expect(malformed[1].reason == "expected an object, got string")
    }
}
