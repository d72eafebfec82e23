import Hummingbird
import NIOCore

/// An answer the front gives before the router sees the request, written as
/// raw HTTP/1.1 bytes (the JSON error shape of every route) with `connection: close`.
struct Refusal {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    var response: ByteBuffer {
        let body = #"{"message":"\#(message)","status":\#(status.code)}"#
        var buffer = ByteBuffer()
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\ncontent-type: application/json; charset=utf-8\r\n"
                           + "content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n\(body)")
        return buffer
    }
}
