import NIOCore
import NIOHTTPTypes

/// Tells the channel's `RequestHeadGuard` when a request has been read to its
/// end and when its response has been written, so the guard times the next
/// request. Sits after the HTTP codec; absent once a WebSocket upgrade happened.
final class RequestCycleObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var guardContext: ChannelHandlerContext?
    private var headGuard: RequestHeadGuard?

    func handlerAdded(context: ChannelHandlerContext) {
        guardContext = try? context.pipeline.syncOperations.context(handlerType: RequestHeadGuard.self)
        headGuard = guardContext?.handler as? RequestHeadGuard
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        guardContext = nil
        headGuard = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data), let headGuard, let guardContext { headGuard.requestEnded(context: guardContext) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd: Bool
        if case .end = unwrapOutboundIn(data) { isEnd = true } else { isEnd = false }
        context.write(data, promise: promise)
        if isEnd, let headGuard, let guardContext { headGuard.responseEnded(context: guardContext) }
    }
}
