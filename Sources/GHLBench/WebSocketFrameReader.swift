import NIOCore

/// WebSocket frames read back off the wire (RFC 6455 §5.2): the benchmark's bare client
/// parses server frames itself, below any WebSocket library, to time arrivals cheaply.
public enum WebSocketFrameReader {
    /// What a frame header says.
    public struct Header: Sendable, Equatable {
        public var opcode: UInt8
        /// Bytes of header, masking key included.
        public var length: Int
        public var payloadLength: Int
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

    /// The payloads of the unmasked frames back to back in `frames`.
    public static func texts(of frames: ByteBuffer) -> [ByteBuffer] {
        var frames = frames
        var texts: [ByteBuffer] = []
        while let header = header(in: frames), frames.readableBytes >= header.length + header.payloadLength {
            frames.moveReaderIndex(forwardBy: header.length)
            texts.append(frames.readSlice(length: header.payloadLength)!)
        }
        return texts
    }
}
