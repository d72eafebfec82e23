import Foundation

/// Timestamps as GHL writes them (`2021-07-02T05:18:26.704Z`), kept as epoch milliseconds inside
/// the sandbox, converted by hand because it happens for every generated record.
public enum SandboxTime {
    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    public static func iso8601(_ ms: Int64) -> String {
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = Int(ms - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        // Written digit by digit: this runs several times per generated record.
        var bytes = Array("0000-00-00T00:00:00.000Z".utf8)
        func put(_ value: Int, at end: Int, width: Int) {
            var v = value
            for i in stride(from: end, to: end - width, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, at: 3, width: 4)
        put(month, at: 6, width: 2)
        put(day, at: 9, width: 2)
        put(secondOfDay / 3600, at: 12, width: 2)
        put(secondOfDay / 60 % 60, at: 15, width: 2)
        put(secondOfDay % 60, at: 18, width: 2)
        put(millis, at: 22, width: 3)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the date forms GHL query parameters use: epoch milliseconds, ISO 8601
    /// (`2024-02-01T10:00:00Z`, with optional fraction or offset), `YYYY-MM-DD` and the
    /// opportunities search's `mm-dd-yyyy`. Nil when the text is none of these.
    public static func parse(_ text: String) -> Int64? {
        if let ms = Int64(text) { return ms }
        let chars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            return Int(String(decoding: chars[range], as: UTF8.self))
        }
        func isDash(_ i: Int) -> Bool { i < chars.count && chars[i] == UInt8(ascii: "-") }
        if chars.count == 10, isDash(2), isDash(5), let m = number(0..<2), let d = number(3..<5), let y = number(6..<10) {
            return epochMilliseconds(year: y, month: m, day: d)
        }
        guard chars.count >= 10, isDash(4), isDash(7), let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
            var ms = epochMilliseconds(year: y, month: m, day: d)
        else { return nil }
        if chars.count == 10 { return ms }
        guard chars.count >= 19, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
            let hh = number(11..<13), let mm = number(14..<16), let ss = number(17..<19)
        else { return nil }
        ms += Int64((hh * 3600 + mm * 60 + ss) * 1000)
        var i = 19
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            i += 1
            var fraction = 0
            var digits = 0
            while i < chars.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(chars[i]) {
                if digits < 3 { fraction = fraction * 10 + Int(chars[i] - UInt8(ascii: "0")); digits += 1 }
                i += 1
            }
            while digits < 3 { fraction *= 10; digits += 1 }
            ms += Int64(fraction)
        }
        if i == chars.count || (i == chars.count - 1 && chars[i] == UInt8(ascii: "Z")) { return ms }
        guard chars.count - i == 6, chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-"),
            let oh = number(i + 1..<i + 3), let om = number(i + 4..<i + 6)
        else { return nil }
        let offset = Int64((oh * 60 + om) * 60_000)
        return chars[i] == UInt8(ascii: "+") ? ms - offset : ms + offset
    }

    static func epochMilliseconds(year: Int, month: Int, day: Int) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468) * 86_400_000
    }

    private static func civilDate(daysSinceEpoch: Int64) -> (Int, Int, Int) {
        let z = Int(daysSinceEpoch) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
