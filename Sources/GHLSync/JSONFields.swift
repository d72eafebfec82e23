import Foundation
import GHLAPI
import GHLStore
import GHLJSON

/// Lenient reads of a GHL JSON object for the typed columns.
///
/// GHL sends fields missing, null, or of another type than its spec says; a
/// column then gets the closest faithful value or NULL, never an error. The
/// full record stays in `raw` either way.
extension JSONObject {
    /// The value at a path of object members (`["contact", "id"]`).
    func value(_ path: [String]) -> JSONValue? {
        var current: JSONValue? = self[path[0]]
        for key in path.dropFirst() { current = current?[key] }
        return current
    }

    /// Text of the first path holding a string (or a number or boolean, as written).
    func text(_ paths: [[String]]) -> StoreValue {
        for path in paths {
            switch value(path) {
            case .string(let text)?: return .text(text)
            case .number(let number)?: return .text(JSONValue.number(number).canonicalJSON)
            case .bool(let flag)?: return .text(flag ? "true" : "false")
            default: continue
            }
        }
        return .null
    }

    /// The first path holding a number, or a string that reads as one.
    func real(_ paths: [[String]]) -> StoreValue {
        for path in paths {
            switch value(path) {
            case .number(let number)?: return .real(number)
            case .string(let text)?: if let number = Double(text.trimmingCharacters(in: .whitespaces)) { return .real(number) }
            default: continue
            }
        }
        return .null
    }

    /// A boolean as 0/1, from `true`, `1`, or `"true"`.
    func flag(_ key: String) -> StoreValue {
        switch self[key] {
        case .bool(let flag)?: return .integer(flag ? 1 : 0)
        case .number(let number)? where number == 0 || number == 1: return .integer(Int64(number))
        case .string(let text)?:
            switch text.lowercased() {
            case "true", "1": return .integer(1)
            case "false", "0": return .integer(0)
            default: return .null
            }
        default: return .null
        }
    }

    /// An array or object member as canonical JSON text (tags, stages).
    func json(_ key: String) -> StoreValue {
        switch self[key] {
        case let value? where value.arrayValue != nil || value.objectValue != nil: return .text(value.canonicalJSON)
        default: return .null
        }
    }

    /// The first of `key` and `fallback` holding a readable time, as the store writes times.
    func timestamp(_ key: String, _ fallback: String? = nil) -> String? {
        if let time = self[key].flatMap(GHLTime.normalize) { return time }
        return fallback.flatMap { self[$0] }.flatMap(GHLTime.normalize)
    }
}

/// GHL times, normalised to the store's form: ISO 8601, UTC, milliseconds, `Z`.
enum GHLTime {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let plain = Date.ISO8601FormatStyle()

    /// An ISO 8601 string in any offset, with or without fraction, or epoch
    /// seconds / milliseconds; nil for anything else.
    static func normalize(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text):
            if isNormal(text) { return text }
            if let date = (try? withFraction.parse(text)) ?? (try? plain.parse(text)) { return Timestamp.string(date) }
            if let number = Double(text) { return normalize(.number(number)) }
            return nil
        case .number(let number) where number.isFinite && number > 0:
            // Below 1e11 it cannot be milliseconds of any date after 1973.
            let milliseconds = number >= 1e11 ? number : number * 1000
            return Timestamp.string(Date(timeIntervalSince1970: milliseconds / 1000))
        default:
            return nil
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.sssZ`: already normal, the common case, no parsing.
    private static func isNormal(_ text: String) -> Bool {
        guard text.utf8.count == 24 else { return false }
        for (index, byte) in text.utf8.enumerated() {
            switch index {
            case 4, 7: guard byte == UInt8(ascii: "-") else { return false }
            case 10: guard byte == UInt8(ascii: "T") else { return false }
            case 13, 16: guard byte == UInt8(ascii: ":") else { return false }
            case 19: guard byte == UInt8(ascii: ".") else { return false }
            case 23: guard byte == UInt8(ascii: "Z") else { return false }
            default: guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            }
        }
        return true
    }
}
