import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The Supabase-Realtime-compatible WebSocket endpoint over a `TopicBus`.
///
/// Clients (supabase-js v2, the Python `realtime` client) join
/// `realtime:ghl:{source_id}` with an access token and receive each committed
/// change as a broadcast whose event is INSERT, UPDATE or DELETE and whose
/// payload is `{table, operation, old, new, timestamp, seq, source_id}`.
///
/// Both serializers are spoken: `?vsn=2.0.0` (supabase-js v2's default) gets
/// JSON-array frames, anything else the JSON-object frames of vsn 1.0.0 (the
/// Python client). Every `realtime:ghl:*` channel is treated as private: the
/// token is checked whatever `config.private` says. The token is the join
/// payload's `access_token`, else the connection's `?apikey=` / `?token=`.
///
/// Extensions to the protocol, both optional for clients:
/// - resume: a join whose payload has `config.ghlsync.since_seq: N` (or
///   `config.broadcast.replay.since_seq: N`) first receives the missed events
///   of the topic with seq > N, then live ones, with no gap or duplicate; when
///   the change log no longer has them all (or N is from an earlier server
///   process), it receives a `refetch` broadcast instead. Every join reply
///   carries `response.ghlsync = {seq, resumed}`: the last seq published
///   before the channel began, and whether the missed events were queued.
/// - a `resync` broadcast tells a client that fell too far behind (its queue
///   overflowed and was dropped) that it missed events and should reload.
/// Both signals are broadcasts `{event: "refetch"|"resync", payload: {source_id, reason}}`,
/// so `channel.on('broadcast', {event: 'resync'}, ...)` receives them.
///
/// Presence (`track`, `untrack`, `presence_state`, `presence_diff`) works as
/// in Supabase Realtime among the channels joined on a topic.
///
/// As a `Service`, it re-checks open channels as soon as the authorizer's
/// access version moves (polled every `accessPollInterval`: a grant revoked, a
/// session revoked, a user deleted, by any process) and every
/// `recheckInterval` anyway, closing a channel whose user lost the source or
/// its session, or whose token expired; `revalidate()` runs that check at once.
public final class RealtimeService: Service, Sendable {
    public struct Configuration: Sendable {
        public var recheckInterval: Duration
        /// How often the access version is read: one point read, however many channels are open.
        public var accessPollInterval: Duration
        /// Largest client message accepted; joins and token refreshes are small.
        public var maxMessageSize: Int

        public init(recheckInterval: Duration = .seconds(5), accessPollInterval: Duration = .milliseconds(250),
                    maxMessageSize: Int = 1 << 20) {
            self.recheckInterval = recheckInterval
            self.accessPollInterval = accessPollInterval
            self.maxMessageSize = maxMessageSize
        }
    }

    /// Where Supabase clients connect: `{url}/realtime/v1` + `/websocket`.
    public static let path = "/realtime/v1/websocket"

    public let bus: TopicBus
    public let authorizer: any ChannelAuthorizer
    public let configuration: Configuration
    let presence = PresenceRegistry()
    private let logger: Logger
    private let connections = Mutex<[ObjectIdentifier: RealtimeConnection]>([:])

    public init(bus: TopicBus, authorizer: any ChannelAuthorizer, configuration: Configuration = .init(),
                logger: Logger = Logger(label: "ghlsync.realtime")) {
        self.bus = bus
        self.authorizer = authorizer
        self.configuration = configuration
        self.logger = logger
    }

    /// Adds the WebSocket route (by default at `/realtime/v1/websocket`) to a
    /// router whose application serves `.http1WebSocketUpgrade(webSocketRouter:)`.
    public func addRoutes<Router: RouterMethods>(to router: Router, path: RouterPath = RouterPath(RealtimeService.path))
    where Router.Context: RealtimeRequestContext {
        router.ws(path) { inbound, _, context in
            let query = context.request.uri.queryParameters
            await self.serve(inbound: inbound, channel: context.requestContext.channel,
                             parameters: ConnectionParameters { query[$0[...]].map(String.init) })
        }
    }

    /// Runs one client connection until it closes: reads its messages from
    /// `inbound` and writes to `channel` through a `SocketWriter`.
    public func serve(inbound: WebSocketInboundStream, channel: any Channel, parameters: ConnectionParameters) async {
        let writer: SocketWriter
        do {
            writer = try await SocketWriter.install(on: channel)
        } catch {
            logger.debug("realtime connection closed before it started", metadata: ["error": "\(error)"])
            return
        }
        let connection = RealtimeConnection(service: self, writer: writer, parameters: parameters, logger: logger)
        let key = ObjectIdentifier(connection)
        connections.withLock { $0[key] = connection }
        defer { connections.withLock { _ = $0.removeValue(forKey: key) } }
        do {
            for try await message in inbound.messages(maxSize: configuration.maxMessageSize) {
                guard case .text(let text) = message else {
                    // supabase-js sends binary frames only for client broadcasts, which ghl channels do not relay.
                    continue
                }
                do {
                    await connection.receive(try PhoenixMessage.decode(text))
                } catch {
                    logger.debug("realtime message ignored", metadata: ["error": "\(error)"])
                }
            }
        } catch {
            logger.debug("realtime connection ended", metadata: ["error": "\(error)"])
        }
        await connection.shutdown()
    }

    /// Open WebSocket connections.
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Re-checks every open channel now: closes those whose token expired,
    /// whose session ended or whose user no longer holds the source. One
    /// `stillAuthorized` call per distinct (session, source), however many
    /// channels share it.
    public func revalidate() async {
        let now = Date()
        var verdicts: [String: Bool] = [:]
        for connection in connections.withLock({ Array($0.values) }) {
            for channel in await connection.grantSnapshots() {
                if let expiry = channel.grant.expiresAt, expiry <= now {
                    await connection.close(topic: channel.topic, subscriptionId: channel.subscriptionId,
                                           reason: ChannelAuthorizationError.expiredToken.reason)
                    continue
                }
                let key = [channel.grant.userId, channel.grant.sessionId ?? "", channel.sourceId].joined(separator: "\u{0}")
                let allowed: Bool
                if let known = verdicts[key] {
                    allowed = known
                } else {
                    allowed = await authorizer.stillAuthorized(channel.grant, sourceId: channel.sourceId)
                    verdicts[key] = allowed
                }
                if !allowed {
                    await connection.close(topic: channel.topic, subscriptionId: channel.subscriptionId,
                                           reason: ChannelAuthorizationError.noAccess(sourceId: channel.sourceId).reason)
                }
            }
        }
    }

    /// The access sweep, until graceful shutdown: `revalidate()` when the
    /// access version moved, and every `recheckInterval` regardless (expiry).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var version = await self.authorizer.accessVersion()
            var lastSweep = clock.now
            while true {
                try await Task.sleep(for: self.configuration.accessPollInterval)
                let current = await self.authorizer.accessVersion()
                guard current == nil || current != version || clock.now - lastSweep >= self.configuration.recheckInterval else { continue }
                version = current
                lastSweep = clock.now
                await self.revalidate()
            }
        }
    }
}
