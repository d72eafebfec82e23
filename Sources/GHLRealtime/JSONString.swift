import NIOCore

extension ByteBuffer {
    /// Writes `string` as a JSON string literal (quoted, escaped per RFC 8259).
    mutating func writeJSONString(_ string: String) {
        writeInteger(UInt8(ascii: "\""))
        var pending = string.utf8.startIndex
        let utf8 = string.utf8
        var index = pending
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                writeBytes(utf8[pending..<index])
                switch byte {
                case UInt8(ascii: "\""): writeStaticString("\\\"")
                case UInt8(ascii: "\\"): writeStaticString("\\\\")
                case 0x0A: writeStaticString("\\n")
                case 0x0D: writeStaticString("\\r")
                case 0x09: writeStaticString("\\t")
                default:
                    writeStaticString("\\u00")
                    writeInteger(Self.hexDigit(byte >> 4))
                    writeInteger(Self.hexDigit(byte & 0x0F))
                }
                pending = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        writeBytes(utf8[pending..<utf8.endIndex])
        writeInteger(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
