import Foundation
import Testing
@testable import GHLAPI

@Suite struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let json = try JSONValue(parsing: #" {"s":"a\"b\\c\n\u00e9\ud83d\ude00","n":-12.5e1,"i":1700000000123,"t":true,"f":false,"z":null,"a":[1,[],{}],"u":"ü"} "#)
        #expect(json["s"] == .string("a\"b\\c\né😀"))
        #expect(json["n"] == .number(-125))
        #expect(json["i"]?.intValue == 1_700_000_000_123)
        #expect(json["t"] == true && json["f"] == false && json["z"] == .null)
        #expect(json["a"] == [1, [], [:]])
        #expect(json["u"] == "ü")
    }

    @Test(arguments: [#"{"a":1"#, #"{"a":"b}"#, "[1,]", "tru", "01x", #"{"a" 1}"#, "", "[1] 2", "\"\u{01}\""])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func canonicalFormSortsKeysAndIsStable() throws {
        let a = try JSONValue(parsing: #"{"b":1,"a":{"y":[true,null],"x":"é\n"},"c":2.5}"#)
        let b = try JSONValue(parsing: #"{ "c" : 2.50, "a" : { "x" : "\u00e9\n", "y" : [ true , null ] }, "b" : 1.0 }"#)
        #expect(a.canonicalJSON == #"{"a":{"x":"é\n","y":[true,null]},"b":1,"c":2.5}"#)
        #expect(a.canonicalJSON == b.canonicalJSON)
        #expect(try JSONValue(parsing: a.canonicalJSON) == a)
    }

    @Test func agreesWithFoundationOnARealisticRecord() throws {
        let object: [String: Any] = ["id": "x", "tags": ["vip", "näive"], "amount": 12.75, "n": 3, "nested": ["k": NSNull()]]
        let data = try JSONSerialization.data(withJSONObject: object)
        let parsed = try JSONValue(parsing: Array(data))
        let viaCodable = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(parsed == viaCodable)
        #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(parsed)) == parsed)
    }

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
