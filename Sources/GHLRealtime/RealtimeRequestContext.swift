import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// A WebSocket request context that keeps the connection's NIO channel, so
/// realtime can write frames to it directly (see `SocketWriter`).
public protocol RealtimeRequestContext: WebSocketRequestContext {
    var channel: any Channel { get }
}

/// The request context of a WebSocket router serving `RealtimeService`.
public struct RealtimeWebSocketContext: RequestContext, RealtimeRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
