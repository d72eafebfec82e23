import HummingbirdCore
import Logging
import NIOCore

/// The server's child channel: `base` (HTTP/1 with WebSocket upgrade) with a
/// `RequestHeadGuard` in front of its HTTP parser. Wrapped by TLS when serving
/// HTTPS, the guard then reads decrypted bytes.
struct FrontChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base
    let limits: FrontLimits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestHeadGuard(limits: limits))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
