import Foundation
import GHLRealtime
import NIOCore
import NIOPosix
import Synchronization

/// The realtime benchmark's client: a bare NIO WebSocket that joins one
/// channel and counts each benchmark event's latency as it arrives, and nothing else.
///
/// The clients share the server's two cores, so a full client (frames as
/// Strings, messages through an async sequence, a JSON decode or a string
/// search per frame) would make the server look slower than it is. This one
/// parses frame headers in place and finds the event's number and commit
/// time with `memchr`; the receipt time is read once per socket read, so
/// every frame is stamped when its bytes reached the client, never later.
final class BenchSocketClient: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<Handler>

    /// What every client of a run shares.
    struct Setup: Sendable {
        var host = "127.0.0.1"
        var port: Int
        /// Path and query of the WebSocket endpoint.
        var path: String
        /// The `phx_join` message, as text.
        var join: String
        /// Events each client should receive.
        var expected: Int
        /// Counts joins and completions.
        var progress: BenchClientProgress
    }

    /// Connects, upgrades to WebSocket and sends the join.
    static func connect(_ setup: Setup, group: any EventLoopGroup) async throws -> BenchSocketClient {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: setup.host, port: setup.port).get()
        let handler = try await channel.eventLoop.submit {
            let handler = Handler(setup)
            try channel.pipeline.syncOperations.addHandler(handler)
            return NIOLoopBound(handler, eventLoop: channel.eventLoop)
        }.get()
        return BenchSocketClient(channel: channel, handler: handler)
    }

    private init(channel: any Channel, handler: NIOLoopBound<Handler>) {
        self.channel = channel
        self.handler = handler
    }

    /// What arrived, read on the client's event loop.
    func arrivals() async throws -> BenchArrivals {
        try await channel.eventLoop.submit { [handler] in handler.value.arrivals }.get()
    }

    func close() async {
        try? await channel.close()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let setup: Setup
        private var upgraded = false
        private var joined = false
        private var pending = ByteBuffer()
        fileprivate var arrivals = BenchArrivals()

        init(_ setup: Setup) {
            self.setup = setup
        }

        func handlerAdded(context: ChannelHandlerContext) {
            // The key is fixed: the server answers any key, and the benchmark does not check the accept hash.
            let request = "GET \(setup.path) HTTP/1.1\r\nHost: \(setup.host):\(setup.port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: Z2hsc3luYy1iZW5jaC1rZXk=\r\nSec-WebSocket-Version: 13\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let receivedAt = BenchClock.nanoseconds
            var incoming = unwrapInboundIn(data)
            if pending.readableBytes == 0 {
                pending = incoming
            } else {
                pending.writeBuffer(&incoming)
            }
            if !upgraded {
                guard let end = pending.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
                let head = pending.readString(length: end.upperBound - pending.readerIndex) ?? ""
                guard head.hasPrefix("HTTP/1.1 101") else {
                    setup.progress.failed("upgrade refused: \(head.prefix(while: { $0 != "\r" }))")
                    context.close(promise: nil)
                    return
                }
                upgraded = true
                context.writeAndFlush(wrapOutboundOut(Self.maskedFrame(opcode: 0x1, ByteBuffer(string: setup.join))), promise: nil)
            }
            while let frame = nextFrame() {
                handle(frame, receivedAt: receivedAt, context: context)
            }
            // Let the read buffer go, keeping only a partial frame's bytes: the
            // buffer a read filled (up to 64 KiB, more once appended to) would
            // otherwise stay with every client that stopped mid-frame.
            pending = pending.readableBytes == 0 ? ByteBuffer() : ByteBuffer(bytes: pending.readableBytesView)
        }

        /// The next whole frame in `pending`: its opcode and payload (server frames are unmasked).
        private func nextFrame() -> (opcode: UInt8, payload: ByteBuffer)? {
            guard let header = WebSocketFrameReader.header(in: pending),
                  pending.readableBytes >= header.length + header.payloadLength else { return nil }
            pending.moveReaderIndex(forwardBy: header.length)
            return (header.opcode, pending.readSlice(length: header.payloadLength)!)
        }

        private func handle(_ frame: (opcode: UInt8, payload: ByteBuffer), receivedAt: Int64, context: ChannelHandlerContext) {
            switch frame.opcode {
            case 0x1 where joined:
                if let (id, committing) = Self.event(in: frame.payload) {
                    if arrivals.record(id, latency: receivedAt - committing, of: setup.expected) == setup.expected {
                        setup.progress.clientCompleted()
                    }
                } else if Self.contains(Self.resyncMarker, in: frame.payload) || Self.contains(Self.refetchMarker, in: frame.payload) {
                    arrivals.signals += 1
                }
            case 0x1:
                // The first text frame answers the join.
                guard Self.contains(Array(#""status":"ok""#.utf8), in: frame.payload) else {
                    setup.progress.failed("join refused: \(String(buffer: frame.payload))")
                    context.close(promise: nil)
                    return
                }
                joined = true
                setup.progress.clientJoined()
            case 0x9:
                context.writeAndFlush(wrapOutboundOut(Self.maskedFrame(opcode: 0xA, frame.payload)), promise: nil)
            case 0x8:
                context.close(promise: nil)
            default:
                break
            }
        }

        /// `"first_name":"rt-`: the benchmark's contacts are named `rt-N@T`, N
        /// the event number, T when its commit began (see `RealtimeBench.write`).
        /// PostgreSQL's rows come as `jsonb` text, a space after each colon.
        private static let eventMarkers = [Array(#""first_name":"rt-"#.utf8), Array(#""first_name": "rt-"#.utf8)]
        private static let resyncMarker = Array(#""event":"resync""#.utf8)
        private static let refetchMarker = Array(#""event":"refetch""#.utf8)

        /// The index just past `marker` in `payload`: `memchr` finds each
        /// occurrence of the marker's last byte (the event marker's `-` is rare
        /// in a broadcast), then the bytes before it are compared.
        private static func offset(of marker: [UInt8], in payload: ByteBuffer) -> Int? {
            payload.withUnsafeReadableBytes { bytes in
                marker.withUnsafeBytes { needle in
                    guard let base = bytes.baseAddress, let last = needle.last, bytes.count >= needle.count else { return nil }
                    var from = needle.count - 1
                    while from < bytes.count, let hit = memchr(base + from, Int32(last), bytes.count - from) {
                        let end = base.distance(to: UnsafeRawPointer(hit)) + 1
                        if memcmp(base + end - needle.count, needle.baseAddress!, needle.count) == 0 { return end }
                        from = end
                    }
                    return nil
                }
            }
        }

        private static func contains(_ marker: [UInt8], in payload: ByteBuffer) -> Bool {
            offset(of: marker, in: payload) != nil
        }

        /// The event number N and commit time T of a `rt-N@T` name.
        private static func event(in payload: ByteBuffer) -> (id: Int, committing: Int64)? {
            guard let offset = eventMarkers.lazy.compactMap({ offset(of: $0, in: payload) }).first else { return nil }
            var id: Int64 = 0, committing: Int64 = 0
            var digits = 0, afterAt = false
            for byte in payload.readableBytesView.dropFirst(offset) {
                if byte == UInt8(ascii: "@"), !afterAt, digits > 0 {
                    afterAt = true
                    digits = 0
                    continue
                }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
                let digit = Int64(byte - UInt8(ascii: "0"))
                if afterAt { committing = committing * 10 + digit } else { id = id * 10 + digit }
                digits += 1
            }
            return afterAt && digits > 0 ? (Int(id), committing) : nil
        }

        /// A client frame: final, masked (RFC 6455 requires it of clients).
        private static func maskedFrame(opcode: UInt8, _ payload: ByteBuffer) -> ByteBuffer {
            var frame = ByteBuffer()
            WebSocketWire.writeHeader(opcode: opcode, payloadLength: payload.readableBytes, masked: true, to: &frame)
            let mask = (0..<4).map { _ in UInt8.random(in: .min ... .max) }
            frame.writeBytes(mask)
            for (index, byte) in payload.readableBytesView.enumerated() {
                frame.writeInteger(byte ^ mask[index % 4])
            }
            return frame
        }
    }
}

/// One client's receipts: which event numbers arrived (a bit each) and
/// their latencies (a fixed histogram), plus what should never happen.
struct BenchArrivals: Sendable {
    /// Bit N is set once event N arrived. Allocated whole at the first event,
    /// so an idle client's memory is only its connection's and a busy one's does not grow.
    private var seen: [UInt64] = []
    private(set) var count = 0
    private(set) var duplicates = 0
    /// Commit-to-receipt latencies of the distinct events.
    private(set) var latencies = LatencyHistogram()
    /// `resync` / `refetch` broadcasts: events were dropped for this client.
    var signals = 0

    /// What the receipts take in the benchmark's RSS.
    var bytes: Int { seen.capacity * MemoryLayout<UInt64>.stride + latencies.bytes }

    /// Records an arrival of one of `expected` events; returns the number of distinct events received so far.
    mutating func record(_ id: Int, latency nanoseconds: Int64, of expected: Int) -> Int {
        let word = id / 64, bit = UInt64(1) << UInt64(id % 64)
        if word >= seen.count {
            seen.append(contentsOf: repeatElement(0, count: max(word + 1, (expected + 63) / 64) - seen.count))
        }
        if seen[word] & bit != 0 {
            duplicates += 1
        } else {
            seen[word] |= bit
            count += 1
            latencies.record(nanoseconds: nanoseconds)
        }
        return count
    }
}

/// The benchmark's clock: CLOCK_MONOTONIC, which the writer process
/// (`bench realtime-writer`) and the clients read alike.
enum BenchClock {
    static var nanoseconds: Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// What the clients report while they run: joins, completions, the first failure.
final class BenchClientProgress: Sendable {
    private let joinedCount = Atomic<Int>(0)
    private let completedCount = Atomic<Int>(0)
    private let failure = Mutex<String?>(nil)

    func clientJoined() { joinedCount.add(1, ordering: .relaxed) }
    func clientCompleted() { completedCount.add(1, ordering: .relaxed) }
    func failed(_ reason: String) { failure.withLock { $0 = $0 ?? reason } }

    var joined: Int { joinedCount.load(ordering: .relaxed) }
    var completed: Int { completedCount.load(ordering: .relaxed) }
    var firstFailure: String? { failure.withLock { $0 } }
}
