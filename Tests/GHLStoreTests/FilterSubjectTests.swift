import GHLStore
import Testing

/// A stored row's `tags` and `customFields` JSON, read back for a sync filter.
@Suite struct FilterSubjectTests {
    @Test func tagsAreTheArraysStrings() {
        #expect(FilterSubject.strings(json: #"["vip","lead",3,null]"#) == ["vip", "lead"])
        #expect(FilterSubject.strings(json: nil) == [])
        #expect(FilterSubject.strings(json: #"{"not":"an array"}"#) == [])
        #expect(FilterSubject.strings(json: "[\"unterminated") == [])
    }

    @Test func customFieldValuesAreTextNumbersOrLists() {
        let json = #"[{"id":"a","value":"x"},{"id":"b","value":42},{"id":"c","value":2.5},"#
            + #"{"id":"d","value":["one",7,true]},{"id":"a","value":"y"},{"value":"no id"},{"id":"e"}]"#
        #expect(FilterSubject.customFields(json: json) == ["a": ["x", "y"], "b": ["42"], "c": ["2.5"], "d": ["one", "7"]])
        #expect(FilterSubject.customFields(json: "[{]") == [:])
        #expect(FilterSubject.customFields(json: nil) == [:])
    }
}
