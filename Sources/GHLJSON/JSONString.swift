/// The one JSON string escaper (RFC 8259): the writer and realtime's frame builder both quote through it.
public enum JSONString {
    /// Hands `emit` the bytes of `string` as a quoted JSON string literal, in runs: runs that
    /// need no escaping (most strings are one) are handed over whole, without copying.
    @inlinable
    public static func quote(_ string: String, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        emitStatic("\"", emit)
        escape(string, emit)
        emitStatic("\"", emit)
    }

    /// Appends `string` quoted to a byte buffer (the quotes as single bytes: the writer's hot path).
    @inlinable
    public static func append(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        escape(string) { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The bytes of `string` escaped, without quotes, in runs.
    @inlinable
    static func escape(_ string: String, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = string
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                emit(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                emitEscape(byte, emit)
                runStart = index + 1
            }
            emit(UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }

    @usableFromInline
    static func emitEscape(_ byte: UInt8, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        switch byte {
        case UInt8(ascii: "\""): emitStatic("\\\"", emit)
        case UInt8(ascii: "\\"): emitStatic("\\\\", emit)
        case 0x0A: emitStatic("\\n", emit)
        case 0x0D: emitStatic("\\r", emit)
        case 0x09: emitStatic("\\t", emit)
        default:
            let hex: StaticString = "0123456789abcdef"
            let escape: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                   hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)]]
            escape.withUnsafeBufferPointer(emit)
        }
    }

    @usableFromInline
    static func emitStatic(_ text: StaticString, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        emit(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
