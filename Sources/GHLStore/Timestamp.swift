import Foundation

/// Timestamps as the file stores them: ISO 8601, UTC, milliseconds, `Z`.
/// They sort as text and SQLite's date functions read them.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    /// The date rounded to the nearest millisecond. Formatting the fraction
    /// directly would truncate it, and a parsed `.453` is often `.45299…` in
    /// binary, so a time would not survive a parse and format unchanged.
    public static func string(_ date: Date = Date()) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        let whole = Date(timeIntervalSince1970: seconds).formatted(wholeSeconds)
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    public static func date(_ string: String) -> Date? {
        try? style.parse(string)
    }
}
