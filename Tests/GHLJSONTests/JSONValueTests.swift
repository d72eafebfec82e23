import Foundation
import GHLJSON
import Testing

/// The one JSON: strict parsing, ordered objects, canonical and as-is writing, one escaper.
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

    /// What the sandbox's old parser let through (`+1`, bad escapes, raw control characters) is rejected now.
    @Test(arguments: ["+1", #""\q""#, "\"a\u{09}b\"", "[1.]", "-", "1e", #"{"a":01}"#])
    func rejectsWhatALenientParserWouldTake(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func objectsKeepMemberOrderAndCompareAsJSONDoes() throws {
        let value = try JSONValue(parsing: #"{"z":1,"a":{"y":2,"b":3},"m":[{"k":"v","c":null}]}"#)
        #expect(value.encodedString == #"{"z":1,"a":{"y":2,"b":3},"m":[{"k":"v","c":null}]}"#)
        #expect(value.canonicalJSON == #"{"a":{"b":3,"y":2},"m":[{"c":null,"k":"v"}],"z":1}"#)
        let reordered = try JSONValue(parsing: #"{"m":[{"c":null,"k":"v"}],"a":{"b":3,"y":2},"z":1}"#)
        #expect(value == reordered && value.hashValue == reordered.hashValue)
        #expect(value != (try JSONValue(parsing: #"{"z":1,"a":{"y":2,"b":4},"m":[{"k":"v","c":null}]}"#)))
    }

    @Test func aRepeatedKeyCountsOnceWithItsLastValue() throws {
        let value = try JSONValue(parsing: #"{"a":1,"b":2,"a":3}"#)
        #expect(value["a"] == 3)
        #expect(value.canonicalJSON == #"{"a":3,"b":2}"#)
        #expect(value == ["b": 2, "a": 3])
    }

    @Test func setKeepsOrderAndRemovesWithNil() {
        var value: JSONValue = ["first": 1, "second": 2]
        value.set("first", "one")
        value.set("third", true)
        value.set("second", nil)
        #expect(value.encodedString == #"{"first":"one","third":true}"#)
    }

    @Test func escaperQuotesControlCharactersQuotesAndBackslashes() throws {
        var bytes: [UInt8] = []
        JSONString.append("a\"b\\c\n\r\t\u{01}\u{1F}é", to: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == #""a\"b\\c\n\r\t\u0001\u001fé""#)
        #expect(try JSONValue(parsing: text) == .string("a\"b\\c\n\r\t\u{01}\u{1F}é"))
    }

    @Test func numbersWriteAsJavaScriptDoes() {
        #expect(JSONValue.array([500, 12.75, -0.5, 1e20, .number(.nan)]).encodedString == "[500,12.75,-0.5,1e+20,null]")
    }

    @Test func int64ValueReadsWholeNumbersAndClampsBeyondInt64() throws {
        #expect(try JSONValue(parsing: "9223372036854775807").int64Value == .max)
        #expect(try JSONValue(parsing: "-9223372036854775808").int64Value == .min)
        #expect(try JSONValue(parsing: "1700000000123").int64Value == 1_700_000_000_123)
        #expect(JSONValue.string("42").int64Value == 42)
        #expect(JSONValue.number(1.5).int64Value == nil && JSONValue.bool(true).int64Value == nil)
    }
}
