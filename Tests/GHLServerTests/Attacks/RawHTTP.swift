#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// A bare TCP client for the attacks a well-behaved HTTP client cannot send
/// (oversized heads, conflicting framing, half-sent requests).
enum RawHTTP {
    struct Reply {
        /// Everything the server sent.
        var text: String
        /// Whether the server closed the connection within the wait.
        var closed: Bool

        var statusLine: String { text.components(separatedBy: "\r\n").first ?? "" }
        var status: Int? { statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
    }

    /// Connects to 127.0.0.1:`port`, sends each chunk of `chunks` (pausing
    /// `pause` between them), then reads until the server closes or `wait` passes.
    static func exchange(port: Int, _ chunks: [[UInt8]], pause: Double = 0, wait: Double = 5) async -> Reply {
        await Task.detached { blockingExchange(port: port, chunks, pause: pause, wait: wait) }.value
    }

    static func exchange(port: Int, _ request: String, wait: Double = 5) async -> Reply {
        await exchange(port: port, [Array(request.utf8)], wait: wait)
    }

    private static func blockingExchange(port: Int, _ chunks: [[UInt8]], pause: Double, wait: Double) -> Reply {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return Reply(text: "", closed: false) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return Reply(text: "", closed: false) }
        var timeout = timeval(tv_sec: Int(wait), tv_usec: .init((wait - wait.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        for (index, chunk) in chunks.enumerated() {
            if index > 0 && pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
            var sent = 0
            while sent < chunk.count {
                #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
                #else
                let flags: Int32 = 0
                #endif
                let n = chunk[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
                if n <= 0 { break }
                sent += n
            }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { received += buffer[0..<n]; continue }
            return Reply(text: String(decoding: received, as: UTF8.self), closed: n == 0 || errno == ECONNRESET)
        }
        return Reply(text: String(decoding: received, as: UTF8.self), closed: false)
    }
}
