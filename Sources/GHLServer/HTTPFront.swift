import Foundation
import GHLRealtime
import GHLStore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The local HTTP front: every route of the product, assembled in `router()`.
///
/// Reads go through `views` (scoped to the caller's sources), syncs and
/// webhooks through `sync` (the service role, after the route checked the
/// caller's role), sign-in through `authenticator`.
public struct HTTPFront: Sendable {
    public var authenticator: any Authenticator
    public var views: any ViewReader
    public var sync: any SyncService
    public var realtime: RealtimeService?
    public var metrics: ServerMetrics
    /// Answers `/healthz`: throws when the database cannot be read.
    public var healthCheck: @Sendable () async throws -> Void
    /// The bearer token `/metrics` requires; without one `/metrics` is off (404).
    public var metricsToken: String?
    /// `Host` names answered; others get 421. Empty answers any (in-process tests).
    public var allowedHosts: Set<String>
    /// Sizes and timeouts of the HTTP/1 channel.
    public var limits: FrontLimits

    public init(authenticator: any Authenticator, views: any ViewReader, sync: any SyncService,
                realtime: RealtimeService? = nil, metrics: ServerMetrics = ServerMetrics(),
                healthCheck: @escaping @Sendable () async throws -> Void = {},
                metricsToken: String? = nil, allowedHosts: Set<String> = [], limits: FrontLimits = FrontLimits()) {
        self.authenticator = authenticator
        self.views = views
        self.sync = sync
        self.realtime = realtime
        self.metrics = metrics
        if let realtime {
            metrics.observe { $0.set("ghlsync_realtime_clients", to: Double(realtime.connectionCount)) }
        }
        self.healthCheck = healthCheck
        self.metricsToken = metricsToken
        self.allowedHosts = allowedHosts
        self.limits = limits
    }

    /// All HTTP routes.
    public func router() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: AllowedHostsMiddleware(hosts: allowedHosts))
        router.add(middleware: PathCharactersMiddleware())
        router.add(middleware: DashboardMiddleware())

        router.get("/healthz", use: healthz)
        if metricsToken != nil { router.get("/metrics", use: prometheus) }

        router.post("/auth/v1/token", use: token)
        router.post("/webhooks/ghl", use: webhook)

        let authenticated = router.group().add(middleware: BearerAuthMiddleware(authenticator: authenticator))
        authenticated.get("/auth/v1/user", use: currentUser)
        authenticated.get("/rest/v1/:view", use: readView)
        authenticated.head("/rest/v1/:view", use: readView)
        authenticated.post("/auth/v1/logout", use: logout)
        authenticated.post("/functions/v1/:function", use: runFunction)
        return router
    }

    /// The router deciding WebSocket upgrades: only the realtime endpoint.
    public func webSocketRouter() -> Router<RealtimeWebSocketContext> {
        let router = Router(context: RealtimeWebSocketContext.self)
        router.add(middleware: AllowedHostsMiddleware(hosts: allowedHosts))
        realtime?.addRoutes(to: router, path: RouterPath(RealtimeService.path))
        return router
    }

    /// The whole server: HTTP/1 with WebSocket upgrade on `host:port` (HTTPS
    /// and WSS with `tls`) behind the front's limits, plus `services`
    /// (schedules, the demo's change stream) run and shut down with it.
    public func application(host: String, port: Int, tls: TLSConfiguration? = nil, services: [any Service] = [], logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let webSocketResponder = webSocketRouter().buildResponder()
        let limits = limits
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [RequestCycleObserver()],
                                               httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHead,
                                                                               maxHeaderListSize: limits.maxHead))
        let plain = HTTPServerBuilder { responder in
            FrontChannel(base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                            configuration: .init(http1: http1)),
                         limits: limits)
        }
        // Timeouts are RequestHeadGuard's (Hummingbird's idle timeout misses the WebSocket-upgrade path).
        let server: HTTPServerBuilder = try tls.map { try HTTPServerBuilder.tls(plain, tlsConfiguration: $0) } ?? plain
        return Application(
            router: router(),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "ghlsync"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
