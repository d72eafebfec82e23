import GHLJSON
import NIOCore

extension ByteBuffer {
    /// Writes `string` as a JSON string literal, through GHLJSON's one escaper, straight into the buffer.
    mutating func writeJSONString(_ string: String) {
        JSONString.quote(string) { writeBytes(UnsafeRawBufferPointer($0)) }
    }
}
