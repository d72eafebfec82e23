import NIOCore

/// WebSocket frames as bytes on the wire (RFC 6455 §5.2).
///
/// Realtime encodes a broadcast's whole frame once and writes the same bytes
/// to every subscriber's socket, below HummingbirdWebSocket's per-frame
/// encoder (see `SocketWriter`). Reading frames back is the benchmark's
/// (GHLBench's `WebSocketFrameReader`); the server's inbound side is HummingbirdWebSocket's.
public enum WebSocketWire {
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
}
