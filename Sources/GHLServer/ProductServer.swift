import Foundation
import GHLAPI
import GHLAuth
import GHLRealtime
import GHLStore
import GHLSync
import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// Everything `ghlsync serve` runs over one database file, wired in one place:
/// auth and the scoped reader, the sync engine with its webhook intake and
/// scheduler, change capture into the topic bus and the realtime WebSocket,
/// metrics, and the HTTP front over all of them.
public struct ProductServer: Sendable {
    public let store: Store
    public let auth: AuthService
    public let engine: SyncEngine
    public let realtime: RealtimeService
    public let metrics: ServerMetrics
    public let front: HTTPFront
    let scheduler: SyncScheduler
    let logger: Logger

    /// - Parameters:
    ///   - webhookKeys: keys webhook signatures are checked against (GHL's by default).
    ///   - environment: where source tokens named by `token_env` are read.
    ///   - schedulerTick: how often due schedules are looked for.
    public init(store: Store, webhookKeys: WebhookKeys = .ghl,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                schedulerTick: Duration = .seconds(15), logger: Logger = Logger(label: "ghlsync")) async throws {
        self.store = store
        let metrics = ServerMetrics()
        metrics.observeGHLRequests(of: .shared)
        let auth = try await AuthService(store: store)
        let engine = SyncEngine(store: store, environment: environment, logger: logger)
        let bus = TopicBus()
        try await bus.follow(store) { metrics.recordChanges($0) }
        let realtime = RealtimeService(bus: bus, authorizer: AuthChannelAuthorizer(auth: auth))
        self.auth = auth
        self.engine = engine
        self.realtime = realtime
        self.metrics = metrics
        scheduler = SyncScheduler(engine: engine, tick: schedulerTick, logger: logger)
        self.logger = logger
        front = await HTTPFront(
            authenticator: AuthServiceAuthenticator(auth: auth),
            views: try ScopedViewReader(store: store, reader: ScopedReader(store: store)),
            sync: EngineSyncService(engine: engine, intake: WebhookIntake(store: store, keys: webhookKeys)),
            realtime: realtime, metrics: metrics,
            healthCheck: { try await store.probe() })
    }

    /// The application: the HTTP front plus the realtime grant sweep, the
    /// change log's tail, the schedules, the allocator's trim and `services`,
    /// all stopped together on SIGINT/SIGTERM.
    /// `tls` serves HTTPS and WSS; `allowedHosts` are `Host` names answered besides
    /// `host`, localhost and 127.0.0.1 (others get 421); `metricsToken` turns `/metrics` on.
    /// `onServerRunning` gets the bound port (useful with port 0); the server
    /// accepts connections only after it returns, so keep it short.
    public func application(host: String, port: Int, tls: TLSConfiguration? = nil, allowedHosts: Set<String> = [],
                            metricsToken: String? = nil, services: [any Service] = [], logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol {
        var front = front
        front.allowedHosts = AllowedHostsMiddleware<ServerRequestContext>.defaults(boundTo: host).union(allowedHosts)
        front.metricsToken = metricsToken
        return try front.application(host: host, port: port, tls: tls, services: [realtime, ChangeLogTailService(store: store, logger: logger),
                                                                                     ScheduleService(scheduler: scheduler), MemoryTrimService()] + services,
                                     logger: logger, onServerRunning: onServerRunning)
    }
}
