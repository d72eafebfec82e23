import NIOCore

/// WebSocket frames as bytes on the wire (RFC 6455 §5.2).
///
/// Realtime encodes a broadcast's whole frame once and writes the same bytes
/// to every subscriber's socket, below HummingbirdWebSocket's per-frame
/// encoder (see `SocketWriter`); the benchmark's bare client reads them back.
public enum WebSocketWire {
    /// What a frame header says.
    public struct Header: Sendable, Equatable {
        public var opcode: UInt8
        /// Bytes of header, masking key included.
        public var length: Int
        public var payloadLength: Int
    }

    /// Writes a final frame's header: FIN and `opcode`, then the payload length
    /// in 7, 16 or 64 bits, with the mask bit when `masked` (the caller then
    /// writes the key and the masked payload).
    public static func writeHeader(opcode: UInt8, payloadLength length: Int, masked: Bool = false, to frame: inout ByteBuffer) {
        let mask: UInt8 = masked ? 0x80 : 0
        frame.writeInteger(0x80 | opcode)
        switch length {
        case 0...125:
            frame.writeInteger(mask | UInt8(length))
        case 126...0xFFFF:
            frame.writeInteger(mask | 126)
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(mask | 127)
            frame.writeInteger(UInt64(length))
        }
    }

    /// The header of the frame starting at `buffer`'s reader index, or nil
    /// while `buffer` does not hold all of it.
    public static func header(in buffer: ByteBuffer) -> Header? {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self),
              let second = buffer.getInteger(at: start + 1, as: UInt8.self) else { return nil }
        let keyLength = second & 0x80 != 0 ? 4 : 0
        switch second & 0x7F {
        case 126:
            return buffer.getInteger(at: start + 2, as: UInt16.self)
                .map { Header(opcode: first & 0x0F, length: 4 + keyLength, payloadLength: Int($0)) }
        case 127:
            return buffer.getInteger(at: start + 2, as: UInt64.self)
                .map { Header(opcode: first & 0x0F, length: 10 + keyLength, payloadLength: Int($0)) }
        case let length:
            return Header(opcode: first & 0x0F, length: 2 + keyLength, payloadLength: Int(length))
        }
    }

    /// `text` as one final, unmasked text frame: what a server sends.
    static func textFrame(_ text: ByteBuffer) -> ByteBuffer {
        var frame = ByteBuffer()
        frame.reserveCapacity(text.readableBytes + 10)
        writeTextFrame(text, to: &frame)
        return frame
    }

    static func writeTextFrame(_ text: ByteBuffer, to frame: inout ByteBuffer) {
        writeHeader(opcode: 0x1, payloadLength: text.readableBytes, to: &frame)
        frame.writeImmutableBuffer(text)
    }

    /// The payloads of the unmasked frames back to back in `frames`.
    static func texts(of frames: ByteBuffer) -> [ByteBuffer] {
        var frames = frames
        var texts: [ByteBuffer] = []
        while let header = header(in: frames), frames.readableBytes >= header.length + header.payloadLength {
            frames.moveReaderIndex(forwardBy: header.length)
            texts.append(frames.readSlice(length: header.payloadLength)!)
        }
        return texts
    }
}
