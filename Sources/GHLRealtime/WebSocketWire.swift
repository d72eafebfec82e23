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
        var frame = ByteBuffer()
        frame.reserveCapacity(text.readableBytes + 10)
        writeTextFrame(text, to: &frame)
        return frame
    }

    static func writeTextFrame(_ text: ByteBuffer, to frame: inout ByteBuffer) {
        let length = text.readableBytes
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
    }

    /// The texts of the frames `writeTextFrame` wrote back to back in `frames`.
    static func texts(of frames: ByteBuffer) -> [ByteBuffer] {
        var frames = frames
        var texts: [ByteBuffer] = []
        while let lengthByte = frames.getInteger(at: frames.readerIndex + 1, as: UInt8.self) {
            frames.moveReaderIndex(forwardBy: 2)
            let length = switch lengthByte {
            case 126: frames.readInteger(as: UInt16.self).map(Int.init)
            case 127: frames.readInteger(as: UInt64.self).map(Int.init)
            default: Int(lengthByte)
            }
            guard let length, let text = frames.readSlice(length: length) else { break }
            texts.append(text)
        }
        return texts
    }
}
