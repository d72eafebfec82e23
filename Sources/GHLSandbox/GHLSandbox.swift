// GHLSandbox (module overview): an emulator of the GHL API v2 endpoints ghlsync syncs,
// with generated data, OAuth and rate limits as GHL applies them, fault injection and
// signed webhooks. Files by concern: Routes, Data, Auth (and limits), Faults, Webhooks.
//
// Data flow: it stands in for the first step, **GHL API** -> sync -> store -> change capture
// -> topic bus -> WebSocket -> dashboard, for the demo, the bench and the tests. It stays
// independent of the product: it may import GHLJSON, Hummingbird, Crypto and
// AsyncHTTPClient, never GHLAPI or a product module; only the CLI, GHLBench and tests import it.
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import GHLJSON

/// A GHL API v2 emulator for the endpoints ghlsync syncs, built from the official OpenAPI files.
///
/// ```swift
/// var config = SandboxConfiguration()
/// config.seed = 42
/// config.locations = 2
/// config.counts = RecordCounts(contacts: 100_000)
/// config.rateLimit = RateLimitSettings(maxRequests: 100, windowMilliseconds: 10_000)
/// let sandbox = try GHLSandbox(configuration: config)      // generates the data
/// let endpoint = try await sandbox.start()                   // 127.0.0.1, port 0 = any free port
/// endpoint.baseURL                                           // "http://127.0.0.1:54321"
/// endpoint.locations[0].locationID, .token, .refreshToken    // PIT, and an OAuth refresh token
/// try sandbox.update(.contacts, location: id, id: contactID, patch: ["firstName": "Zoë"])
/// sandbox.requestCount(location: id, endpoint: "POST /contacts/search")
/// await sandbox.stop()
/// ```
///
/// - Data: `records(_:location:)` lists a location's records exactly as served;
///   `create`/`update`/`delete` change them (bumping `dateUpdated`/`updatedAt`, sending webhooks).
/// - Counting: `requestCounts()`, `requestCount(location:endpoint:)`, `resetCounters()`.
///   Endpoints are named like `POST /contacts/search`, `GET /payments/orders`.
/// - Limits and faults: `rateLimit` (settable), `addFault(_:)`, `clearFaults()`.
/// - OAuth: `issueRefreshToken(location:)`, `authorizationCode(location:)`, `expireAccessTokens()`.
/// - Agency: `companyID`, `companyRefreshToken`, `installedLocations`, `installApp(location:)`, `uninstallApp(location:)`.
/// - Webhooks: `webhookURL` (settable), `rsaPublicKeyPEM`, `ed25519PublicKeyPEM`, `webhookDeliveries`.
/// - Router tests: `router` runs the same routes without a socket (HummingbirdTesting).
///
/// HTTP surface (see README.md): `POST /contacts/search`, `GET /contacts/`,
/// `GET /opportunities/search`, `GET /opportunities/pipelines`, `GET /payments/orders`,
/// `GET /payments/transactions`, `GET /products/reviews`, `GET /locations/{locationId}`,
/// `POST /oauth/token`, `GET|POST /oauth/chooselocation`, `GET /oauth/installedLocations`,
/// `POST /oauth/locationToken`, `GET /locations/search`, and the admin API under `/_sandbox`.
public final class GHLSandbox: Sendable {
    private let core: SandboxCore
    private let running = Mutex<Running?>(nil)

    private struct Running {
        let group: ServiceGroup
        let task: Task<Void, Never>
        let baseURL: String
    }

    public init(configuration: SandboxConfiguration = SandboxConfiguration()) throws {
        core = try SandboxCore(configuration: configuration)
    }

    public var configuration: SandboxConfiguration { core.configuration }

    /// The locations this sandbox serves, in generation order.
    public var locations: [SandboxLocation] {
        core.dataset.locationTokens.map { location, token in
            SandboxLocation(locationID: location, token: token, refreshToken: core.initialRefreshTokens[location] ?? "")
        }
    }

    /// The routes, for in-process router tests.
    public var router: Router<BasicRequestContext> { core.buildRouter() }

    /// Binds and serves; returns once the socket is listening. With `stopOnSignals`, SIGINT and
    /// SIGTERM stop it (for the CLI).
    public func start(stopOnSignals: Bool = false) async throws -> SandboxEndpoint {
        let host = core.configuration.host
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        var logger = Logger(label: "ghlsync.sandbox")
        logger.logLevel = .warning
        let app = Application(
            router: core.buildRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: core.configuration.port), serverName: "ghlsync-sandbox"),
            onServerRunning: { channel in readyContinuation.yield(.success(channel.localAddress?.port ?? 0)) },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [app], gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [], logger: logger))
        let task = Task {
            do { try await group.run() } catch { readyContinuation.yield(.failure(error)) }
            readyContinuation.finish()
        }
        var port = 0
        for await result in ready {
            port = try result.get()
            break
        }
        guard port != 0 else { throw SandboxError.notRunning }
        let baseURL = "http://\(host):\(port)"
        running.withLock { $0 = Running(group: group, task: task, baseURL: baseURL) }
        return SandboxEndpoint(baseURL: baseURL, locations: locations)
    }

    /// `http://127.0.0.1:<port>` while running.
    public var baseURL: String? { running.withLock { $0?.baseURL } }

    /// Stops serving and delivers queued webhooks.
    public func stop() async {
        guard let current = running.withLock({ state -> Running? in defer { state = nil }; return state }) else { return }
        await current.group.triggerGracefulShutdown()
        await current.task.value
        await core.webhooks.finish()
    }

    /// Waits until the server stops (e.g. by a signal when started with `stopOnSignals`).
    public func waitUntilStopped() async {
        guard let task = running.withLock({ $0?.task }) else { return }
        await task.value
        running.withLock { $0 = nil }
        await core.webhooks.finish()
    }

    // MARK: Dataset

    /// Every current record of an entity, in paging order, exactly as the API serves it.
    public func records(_ entity: SandboxEntity, location: String) throws -> [JSONValue] {
        guard let all = core.dataset.allRecords(entity, location: location) else { throw SandboxError.unknownLocation(location) }
        return all.map { $0.parsed() }
    }

    public func record(_ entity: SandboxEntity, location: String, id: String) throws -> JSONValue {
        try core.dataset.record(entity, location: location, id: id).parsed()
    }

    /// Adds a record; the sandbox sets its id (unless given), location, and timestamps (now,
    /// so it pages last). Returns it as served.
    @discardableResult
    public func create(_ entity: SandboxEntity, location: String, fields: JSONValue) throws -> JSONValue {
        core.apply(try core.dataset.create(entity, location: location, fields: fields)).new!
    }

    /// Merges `patch` into a record (`null` removes a field) and bumps its update time.
    @discardableResult
    public func update(_ entity: SandboxEntity, location: String, id: String, patch: JSONValue) throws -> JSONValue {
        core.apply(try core.dataset.update(entity, location: location, id: id, patch: patch)).new!
    }

    public func delete(_ entity: SandboxEntity, location: String, id: String) throws {
        _ = core.apply(try core.dataset.delete(entity, location: location, id: id))
    }

    // MARK: Counters, limits, faults

    public func requestCounts() -> [CounterKey: RequestCount] { core.counters.snapshot }

    /// Requests for one location, for one endpoint or summed over all.
    public func requestCount(location: String, endpoint: String? = nil) -> RequestCount {
        core.counters.snapshot.reduce(into: RequestCount()) { sum, entry in
            guard entry.key.locationID == location, endpoint == nil || entry.key.endpoint == endpoint else { return }
            sum.requests += entry.value.requests
            sum.rateLimited += entry.value.rateLimited
        }
    }

    public func resetCounters() { core.counters.reset() }

    /// Setting it also forgets the budget already spent.
    public var rateLimit: RateLimitSettings {
        get { core.limiter.settings }
        set { core.limiter.settings = newValue; core.limiter.reset() }
    }

    public func addFault(_ rule: FaultRule) throws { core.faults.add(try rule.validated()) }
    public func clearFaults() { core.faults.clear() }
    public var activeFaults: [FaultRule] { core.faults.active }

    // MARK: OAuth and webhooks

    public func issueRefreshToken(location: String) -> String { core.tokens.installApp(.location(location)) }
    public func authorizationCode(location: String) -> String { core.tokens.authorizationCode(.location(location)) }

    // MARK: Agency

    /// The agency that owns every location (`companyId` of the location records).
    public var companyID: String { core.agency.companyID }
    /// The agency's Company refresh token from start-up (redeem at `POST /oauth/token`).
    public var companyRefreshToken: String { core.companyRefreshToken }
    /// Locations where the agency's OAuth app is installed, in generation order.
    public var installedLocations: [String] { core.agency.locations.filter { core.agency.installedAt($0) != nil } }
    /// Installs the app on a location (sending a signed `INSTALL` webhook); false if it already was.
    @discardableResult
    public func installApp(location: String) throws -> Bool { try core.installApp(location: location) }
    /// Uninstalls the app from a location, ending its tokens (sending a signed `UNINSTALL` webhook); false if it was not installed.
    @discardableResult
    public func uninstallApp(location: String) throws -> Bool { try core.uninstallApp(location: location) }
    public func expireAccessTokens() { core.tokens.expireAccessTokens() }
    public var oauthClientID: String { core.tokens.clientID }
    public var oauthClientSecret: String { core.tokens.clientSecret }

    public var rsaPublicKeyPEM: String { core.webhooks.signer.rsaPublicKeyPEM }
    public var ed25519PublicKeyPEM: String { core.webhooks.signer.ed25519PublicKeyPEM }
    public var webhookDeliveries: [WebhookDelivery] { core.webhooks.deliveries }

    /// Where change webhooks are POSTed (initially `configuration.webhookURL`);
    /// nil sends none. Settable while running, so a receiver that binds its
    /// port after the sandbox started (`ghlsync demo --port 0`) can be named.
    public var webhookURL: String? {
        get { core.webhooks.targetURL }
        set { core.webhooks.targetURL = newValue }
    }
}

/// One served location and its credentials.
public struct SandboxLocation: Sendable, Equatable {
    public let locationID: String
    /// Private Integration Token for this location.
    public let token: String
    /// An OAuth refresh token for this location (redeem at `POST /oauth/token`).
    public let refreshToken: String
}

public struct SandboxEndpoint: Sendable {
    public let baseURL: String
    public let locations: [SandboxLocation]
}
