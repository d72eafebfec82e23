import GRDB

/// Encodes database rows straight into a JSON array of objects, column order kept.
///
/// The views answer up to thousands of rows per request; writing bytes
/// directly avoids building a `[String: Any]` per row.
struct JSONRowWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "[")]
    private(set) var count = 0

    mutating func append(_ row: Row) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (column, value) in row {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendString(column)
            bytes.append(UInt8(ascii: ":"))
            appendValue(value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    private mutating func appendValue(_ value: DatabaseValue) {
        switch value.storage {
        case .null: bytes += Array("null".utf8)
        case .int64(let int): bytes += Array(String(int).utf8)
        case .double(let double): bytes += Array((double.isFinite ? "\(double)" : "null").utf8)
        case .string(let string): appendString(string)
        case .blob(let data): appendString(data.base64EncodedString())
        }
    }

    private mutating func appendString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
