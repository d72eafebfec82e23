import Hummingbird
import NIOCore

/// Reads each request head as bytes, before NIO's HTTP parser, and answers what
/// the parser would leave hanging: a request line over `maxRequestLine` (414), a
/// head over `maxHead` (431), control characters in the request line, both
/// `Content-Length` and `Transfer-Encoding` or conflicting lengths (400), a body
/// announced over `maxBody` (413, before it is read). Each answer closes the
/// connection. It also bounds time: a silent connection between requests is
/// closed after `idleTimeout`, a request not fully received within `readTimeout`
/// of its first byte gets 408 and is closed.
///
/// Once a head has passed it forwards bytes untouched until `RequestCycleObserver`
/// reports the exchange finished, so WebSocket frames after an upgrade (no
/// observer on that path) are never inspected.
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase { case awaitingHead, readingHead, exchange, closed }

    private let limits: FrontLimits
    private var phase = Phase.awaitingHead
    private var head: [UInt8] = []
    private var requestLineEnded = false
    private var requestRead = false
    private var responseWritten = false
    private var timer: Scheduled<Void>?

    init(limits: FrontLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(limits.idleTimeout, context: context, answer: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(limits.idleTimeout, context: context, answer: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        phase = .closed
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .closed:
            return
        case .exchange:
            context.fireChannelRead(data)
        case .awaitingHead, .readingHead:
            let buffer = unwrapInboundIn(data)
            if phase == .awaitingHead, buffer.readableBytes > 0 {
                phase = .readingHead
                arm(limits.readTimeout, context: context, answer: .requestTimeout)
            }
            for byte in buffer.readableBytesView {
                if let refusal = scan(byte) {
                    refuse(refusal, context: context)
                    return
                }
                if phase == .exchange { break }
            }
            context.fireChannelRead(data)
        }
    }

    /// The request was read to its end (reported by `RequestCycleObserver`).
    func requestEnded(context: ChannelHandlerContext) {
        requestRead = true
        if phase == .exchange { cancelTimer() }
        finishIfDone(context: context)
    }

    /// The response was written to its end (reported by `RequestCycleObserver`).
    func responseEnded(context: ChannelHandlerContext) {
        responseWritten = true
        finishIfDone(context: context)
    }

    private func finishIfDone(context: ChannelHandlerContext) {
        guard phase == .exchange, requestRead, responseWritten else { return }
        phase = .awaitingHead
        arm(limits.idleTimeout, context: context, answer: nil)
    }

    /// Adds one byte of the head; a refusal when a limit is crossed.
    private func scan(_ byte: UInt8) -> Refusal? {
        head.append(byte)
        if !requestLineEnded {
            if byte == UInt8(ascii: "\n") {
                requestLineEnded = true
            } else if (byte < 0x20 && byte != UInt8(ascii: "\r")) || byte == 0x7F {
                return Refusal(.badRequest, "control character in the request line")
            } else if head.count > limits.maxRequestLine {
                return Refusal(.uriTooLong, "request line longer than \(limits.maxRequestLine) bytes")
            }
            return nil
        }
        if head.count > limits.maxHead {
            return Refusal(.requestHeaderFieldsTooLarge, "request head longer than \(limits.maxHead) bytes")
        }
        guard head.count >= 2, head[head.count - 1] == UInt8(ascii: "\n"),
              head[head.count - 2] == UInt8(ascii: "\n")
                || (head.count >= 4 && head[head.count - 2] == UInt8(ascii: "\r") && head[head.count - 3] == UInt8(ascii: "\n"))
        else { return nil }
        return headCompleted()
    }

    /// Checks the framing headers of a complete head and starts the exchange.
    private func headCompleted() -> Refusal? {
        let framing = BodyFraming(head: head)
        head.removeAll(keepingCapacity: true)
        requestLineEnded = false
        if let refusal = framing.refusal(maxBody: limits.maxBody) { return refusal }
        phase = .exchange
        requestRead = !framing.hasBody
        responseWritten = false
        if requestRead { cancelTimer() }
        return nil
    }

    /// Answers, then closes the way HTTP servers must when they stop reading
    /// early: output first (the client reads the answer, then end of stream),
    /// input a moment later, so bytes still in flight do not reset the
    /// connection and erase the answer before the client reads it.
    private func refuse(_ refusal: Refusal, context: ChannelHandlerContext) {
        phase = .closed
        cancelTimer()
        let loop = context.eventLoop.assumeIsolated()
        context.writeAndFlush(wrapOutboundOut(refusal.response)).assumeIsolated().whenComplete { _ in
            let halfClosed = context.eventLoop.makePromise(of: Void.self)
            context.close(mode: .output, promise: halfClosed)
            halfClosed.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
            _ = loop.scheduleTask(in: .seconds(2)) { context.close(promise: nil) }
        }
    }

    /// Closes the connection after `delay` unless cancelled, answering `answer` first if given.
    private func arm(_ delay: TimeAmount, context: ChannelHandlerContext, answer: HTTPResponse.Status?) {
        cancelTimer()
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(in: delay) { [self] in
            timer = nil
            guard phase != .closed else { return }
            if let answer, !responseWritten || phase != .exchange {
                refuse(Refusal(answer, "the request did not arrive in time"), context: context)
            } else {
                phase = .closed
                context.close(promise: nil)
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
