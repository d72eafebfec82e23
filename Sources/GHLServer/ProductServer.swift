import Foundation
import GHLAPI
import GHLAuth
import GHLPostgres
import GHLRealtime
import GHLStore
import GHLSync
import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// Everything `ghlsync serve` runs over one database, wired in one place:
/// auth and the scoped reader, the sync engine with its webhook intake and
/// scheduler, change capture into the topic bus and the realtime WebSocket,
/// metrics, and the HTTP front over all of them. Over a SQLite file or a
/// PostgreSQL database.
public struct ProductServer: Sendable {
    public let auth: AuthService
    public let engine: SyncEngine
    public let realtime: RealtimeService
    public let metrics: ServerMetrics
    public let front: HTTPFront
    let scheduler: SyncScheduler
    /// What keeps the topic bus fed from the database: the file's change-log
    /// tail, or PostgreSQL's change feed.
    let changes: any Service
    let logger: Logger

    /// - Parameters:
    ///   - webhookKeys: keys webhook signatures are checked against (GHL's by default).
    ///   - environment: where source tokens named by `token_env` are read.
    ///   - schedulerTick: how often due schedules are looked for.
    public init(store: Store, webhookKeys: WebhookKeys = .ghl,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                schedulerTick: Duration = .seconds(15), logger: Logger = Logger(label: "ghlsync")) async throws {
        let metrics = ServerMetrics()
        let auth = try await AuthService(store: store)
        let bus = TopicBus()
        try await bus.follow(store) { metrics.recordChanges($0) }
        let views = try await ScopedViewReader(store: store, reader: ScopedReader(store: store))
        self.init(auth: auth, engine: SyncEngine(store: store, environment: environment, logger: logger),
                  intake: WebhookIntake(store: store, keys: webhookKeys), bus: bus, metrics: metrics, views: views,
                  changes: ChangeLogTailService(store: store, logger: logger),
                  healthCheck: { try await store.probe() }, schedulerTick: schedulerTick, logger: logger)
    }

    /// The server over a PostgreSQL database `init` has migrated: reads run
    /// under the database's own row-level security, realtime follows
    /// `ghlsync_changes` (pruned to `changeLogBounds`' age and rows), so any
    /// number of servers on one database deliver every change.
    public init(postgres store: PostgresStore, changeLogBounds: ChangeLogBounds = ChangeLogBounds(), webhookKeys: WebhookKeys = .ghl,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                schedulerTick: Duration = .seconds(15), logger: Logger = Logger(label: "ghlsync")) async throws {
        let metrics = ServerMetrics()
        let bus = TopicBus()
        let feed = try await PostgresChangeFeedService.following(store, into: bus, bounds: changeLogBounds, logger: logger) {
            metrics.recordChanges($0)
        }
        let auth = try await AuthService(store: store)
        let views = ScopedViewReader(columns: try await store.reportingViewColumns(), pages: store)
        self.init(auth: auth, engine: SyncEngine(store: store, environment: environment, logger: logger),
                  intake: WebhookIntake(store: store, keys: webhookKeys), bus: bus,
                  metrics: metrics, views: views, changes: feed, healthCheck: { try await store.probe() },
                  schedulerTick: schedulerTick, logger: logger)
    }

    private init(auth: AuthService, engine: SyncEngine, intake: WebhookIntake, bus: TopicBus, metrics: ServerMetrics,
                 views: ScopedViewReader, changes: any Service, healthCheck: @escaping @Sendable () async throws -> Void,
                 schedulerTick: Duration, logger: Logger) {
        metrics.observeGHLRequests(of: .shared)
        let realtime = RealtimeService(bus: bus, authorizer: AuthChannelAuthorizer(auth: auth))
        self.auth = auth
        self.engine = engine
        self.realtime = realtime
        self.metrics = metrics
        self.changes = changes
        scheduler = SyncScheduler(engine: engine, tick: schedulerTick, logger: logger)
        self.logger = logger
        front = HTTPFront(
            authenticator: AuthServiceAuthenticator(auth: auth), views: views,
            sync: EngineSyncService(engine: engine, intake: intake),
            realtime: realtime, metrics: metrics, healthCheck: healthCheck)
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
        return try front.application(host: host, port: port, tls: tls, services: [realtime, changes,
                                                                                     ScheduleService(scheduler: scheduler), MemoryTrimService()] + services,
                                     logger: logger, onServerRunning: onServerRunning)
    }
}
