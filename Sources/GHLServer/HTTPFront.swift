import Foundation
import GHLRealtime
import GHLStore
import Hummingbird
import HummingbirdWebSocket
import Logging
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
    /// The folder the dashboard is served from.
    public var dashboardDirectory: String

    public init(authenticator: any Authenticator, views: any ViewReader, sync: any SyncService,
                realtime: RealtimeService? = nil, metrics: ServerMetrics = ServerMetrics(),
                healthCheck: @escaping @Sendable () async throws -> Void = {},
                dashboardDirectory: String = HTTPFront.bundledDashboard) {
        self.authenticator = authenticator
        self.views = views
        self.sync = sync
        self.realtime = realtime
        self.metrics = metrics
        if let realtime {
            metrics.observe { $0.set("ghlsync_realtime_clients", to: Double(realtime.connectionCount)) }
        }
        self.healthCheck = healthCheck
        self.dashboardDirectory = dashboardDirectory
    }

    /// The dashboard shipped as a resource of this module, beside the binary.
    public static var bundledDashboard: String {
        Bundle.module.url(forResource: "Dashboard", withExtension: nil)?.path
            ?? Bundle.module.bundlePath + "/Dashboard"
    }

    /// All HTTP routes.
    public func router() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: FileMiddleware(dashboardDirectory, cacheControl: .init([(MediaType(type: .any), [.noCache])]),
                                              searchForIndexHtml: true))

        router.get("/healthz", use: healthz)
        router.get("/metrics", use: prometheus)

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
        realtime?.addRoutes(to: router, path: RouterPath(RealtimeService.path))
        return router
    }

    /// The whole server: HTTP/1 with WebSocket upgrade on `host:port`, plus
    /// `services` (schedules, the demo's change stream) run and shut down with it.
    public func application(host: String, port: Int, services: [any Service] = [], logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter()),
            configuration: .init(address: .hostname(host, port: port), serverName: "ghlsync"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
