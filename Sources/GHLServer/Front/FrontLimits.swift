import NIOCore

/// The HTTP/1 front's limits: how big a request head and body may be and how
/// long a client may take to send a request or stay silent between two.
public struct FrontLimits: Sendable {
    /// Longest request line (method, target, version); longer is answered 414.
    public var maxRequestLine = 8 * 1024
    /// Longest request head (request line and headers); longer is answered 431.
    public var maxHead = 32 * 1024
    /// Largest body a `Content-Length` may announce; larger is answered 413 before any of it is read.
    public var maxBody = JSONBody.maxSize
    /// A connection with no request under way is closed after this.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// A request's head and body must arrive within this from its first byte (else 408 and close).
    public var readTimeout: TimeAmount = .seconds(30)

    public init() {}
}
