import Foundation
import GHLStore
import Testing

@Suite struct TimestampTests {
    /// Every millisecond of a second survives a parse and format unchanged
    /// (the formatter alone truncates `.45299…` to `.452`).
    @Test func everyMillisecondRoundTrips() throws {
        for millisecond in 0..<1000 {
            let text = "2026-11-29T20:21:35." + String(format: "%03d", millisecond) + "Z"
            let date = try #require(Timestamp.date(text))
            #expect(Timestamp.string(date) == text)
        }
    }

    @Test func roundsToTheNearestMillisecond() {
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1.0006)) == "1970-01-01T00:00:01.001Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1.9996)) == "1970-01-01T00:00:02.000Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
