import NIOCore

/// WebSocket frames as bytes on the wire (RFC 6455 §5.2), for the server's
/// own writes: final, unmasked text frames.
///
/// Realtime encodes a broadcast's whole frame once and writes the same bytes
/// to every subscriber's socket, below HummingbirdWebSocket's per-frame
/// encoder (see `SocketWriter`).
enum WebSocketWire {
    /// `text` as one final text frame: a 2-, 4- or 10-byte header, then the bytes.
    static func textFrame(_ text: ByteBuffer) -> ByteBuffer {
        let length = text.readableBytes
        var frame = ByteBuffer()
        frame.reserveCapacity(length + 10)
        frame.writeInteger(UInt8(0x81))  // FIN, opcode 1 (text)
        switch length {
        case 0...125:
            frame.writeInteger(UInt8(length))
        case 126...0xFFFF:
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeImmutableBuffer(text)
        return frame
    }

    /// The bytes after `frame`'s header: the text `textFrame` wrapped.
    static func text(of frame: ByteBuffer) -> ByteBuffer {
        let headerLength = switch frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) ?? 0 {
        case 126: 4
        case 127: 10
        default: 2
        }
        return frame.getSlice(at: frame.readerIndex + headerLength, length: frame.readableBytes - headerLength) ?? ByteBuffer()
    }
}
