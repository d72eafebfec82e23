import Foundation
import GHLStore

/// How a source's schedule is written and read back (`ghlsync sources schedule`);
/// the store keeps it (`Store.setSchedule`).
public enum SyncSchedule {
    /// Parses `15m`, `1h`, `90s`, `2d` or a bare number of seconds; `off` is nil.
    public static func parseInterval(_ text: String) throws -> Int? {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if value == "off" || value == "none" { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(value)
        var unit = 1
        if let last = value.last, let factor = units[last] {
            unit = factor
            digits = value.dropLast()
        }
        guard let count = Int(digits), count > 0 else {
            throw SyncError.invalidInput("--every must look like 30s, 15m, 1h, 1d or off, got \(text)")
        }
        let seconds = count * unit
        guard seconds >= 60 else {
            throw SyncError.invalidInput("--every must be at least 1m: GHL allows 100 requests per 10 s per location")
        }
        return seconds
    }

    /// `900` -> `15m`, for listings.
    public static func describe(_ seconds: Int) -> String {
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
