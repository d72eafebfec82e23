import NIOCore
import NIOWebSocket

/// Writes whole WebSocket frames straight to one connection's channel and
/// flushes once per batch.
///
/// HummingbirdWebSocket's `WebSocketOutboundWriter` takes one frame at a
/// time through an actor, an async writer and the frame encoder, and flushes
/// each: at hundreds of thousands of broadcast frames a second that was where
/// the server's time went. This writer sits below the frame encoder, so the
/// frames a commit encoded once (`BroadcastFrames`) go to every socket as they
/// are, one buffer per commit, and all a subscriber has waiting leaves in one
/// `writev`.
/// The library's own frames (pings, close) still pass through the encoder
/// above it; every write is a whole frame, so they interleave safely.
public final class SocketWriter: Sendable {
    let eventLoop: any EventLoop
    private let handler: NIOLoopBound<Handler>

    private init(eventLoop: any EventLoop, handler: Handler) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    /// Adds the writer to an upgraded WebSocket channel, just below its frame encoder.
    public static func install(on channel: any Channel) async throws -> SocketWriter {
        try await channel.eventLoop.submit {
            let operations = channel.pipeline.syncOperations
            let handler = Handler()
            try operations.addHandler(handler, position: .before(try operations.handler(type: WebSocketFrameEncoder.self)))
            return SocketWriter(eventLoop: channel.eventLoop, handler: handler)
        }.get()
    }

    /// Writes and flushes one frame (a reply, a signal), after every frame
    /// sent or drained before it, from any thread.
    func send(_ frame: ByteBuffer) {
        if eventLoop.inEventLoop {
            handler.value.write([frame])
        } else {
            eventLoop.execute { [handler] in handler.value.write([frame]) }
        }
    }

    /// Writes what `feed`'s subscription has waiting, or holds the feed until
    /// the socket can take more: its queue then fills and overflows to `resync`
    /// rather than the server buffering without bound. Runs on `eventLoop`.
    func drain(_ feed: ChannelFeed) {
        handler.value.drain(feed)
    }

    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private var context: ChannelHandlerContext?
        /// Feeds with events waiting for the channel to become writable.
        private var held: [ChannelFeed] = []

        func handlerAdded(context: ChannelHandlerContext) {
            self.context = context
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.context = nil
            held = []
        }

        func write(_ frames: [ByteBuffer]) {
            guard let context, !frames.isEmpty else { return }
            for frame in frames {
                context.write(wrapOutboundOut(frame), promise: nil)
            }
            context.flush()
        }

        func drain(_ feed: ChannelFeed) {
            guard let context else { return }
            guard context.channel.isWritable else {
                if !held.contains(where: { $0 === feed }) { held.append(feed) }
                return
            }
            guard let delivery = feed.subscription.take() else { return }
            write(feed.frames(of: delivery))
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable, !held.isEmpty {
                let feeds = held
                held = []
                for feed in feeds { drain(feed) }
            }
            context.fireChannelWritabilityChanged()
        }
    }
}

/// One joined channel's way from the bus to its socket: the bus wakes the
/// feed on the socket's event loop and the feed writes what is waiting.
final class ChannelFeed: SubscriptionSink {
    let subscription: BusSubscription
    let topic: String
    let sourceId: String
    let version: PhoenixVersion
    private let writer: SocketWriter

    init(subscription: BusSubscription, topic: String, sourceId: String, version: PhoenixVersion, writer: SocketWriter) {
        self.subscription = subscription
        self.topic = topic
        self.sourceId = sourceId
        self.version = version
        self.writer = writer
    }

    var eventLoop: any EventLoop { writer.eventLoop }

    func subscriptionReady() {
        writer.drain(self)
    }

    /// A delivery's frames: the signal's broadcast first, then each commit's shared frames.
    func frames(of delivery: Delivery) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        frames.reserveCapacity(delivery.batches.count + 1)
        if let signal = delivery.signal {
            let message = PhoenixMessage(topic: topic, event: "broadcast", payload: .object([
                "type": .string("broadcast"), "event": .string(signal.rawValue),
                "payload": .object(["source_id": .string(sourceId), "reason": .string(signal.reason)]),
            ]))
            frames.append(WebSocketWire.textFrame(message.encoded(version)))
        }
        for batch in delivery.batches {
            frames.append(batch.frames.wire(version))
        }
        return frames
    }
}
