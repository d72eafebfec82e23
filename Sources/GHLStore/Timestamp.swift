import Foundation

/// Timestamps as the file stores them: ISO 8601, UTC, milliseconds, `Z`.
/// They sort as text and SQLite's date functions read them.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    public static func string(_ date: Date = Date()) -> String {
        date.formatted(style)
    }

    public static func date(_ string: String) -> Date? {
        try? style.parse(string)
    }
}
