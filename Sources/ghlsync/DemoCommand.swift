import ArgumentParser
import Foundation
import GHLAuth
import GHLSandbox
import GHLServer
import GHLStore
import GHLSync
import Logging
import ServiceLifecycle

/// `ghlsync demo`: the embedded default, nothing to configure. A GHL sandbox
/// with two locations, a fresh database synced from it, demo users, the
/// server, and a stream of sandbox changes that reach the dashboard live.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a built-in GHL sandbox, sync it, and serve the live dashboard with demo users.",
        discussion: "Prints the demo sign-ins and `dashboard http://127.0.0.1:<port>/` once the first sync is in. Ctrl-C stops everything.")

    @Option(help: "Port of the dashboard and API (0 picks a free one).") var port = 8080
    @Option(help: "Demo database file to create (default: a new temporary directory).") var db: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        if let db, FileManager.default.fileExists(atPath: db) {
            throw ValidationError("\(db) already exists; the demo builds a fresh database: pick a new --db path")
        }
    }

    func run() async throws {
        let logger = Logger(label: "ghlsync.demo")
        let path = try db ?? Self.temporaryDatabase()
        try StartupChecks.requireWritableFolder(of: path)

        var settings = SandboxConfiguration()
        settings.seed = 2024
        settings.locations = 2
        settings.counts = RecordCounts(contacts: 800, opportunities: 240, orders: 120, transactions: 160, reviews: 90)
        let sandbox = try GHLSandbox(configuration: settings)
        let endpoint = try await sandbox.start()

        let store = try Store(path: path)
        var environment = ProcessInfo.processInfo.environment
        var sources: [Source] = []
        for (index, location) in endpoint.locations.enumerated() {
            let variable = "GHLSYNC_DEMO_TOKEN_\(index + 1)"
            environment[variable] = location.token
            await sources.append(try store.addSource(name: ["Northwind Dental", "Summit Fitness"][index % 2], locationId: location.locationID,
                                               apiBase: endpoint.baseURL, tokenEnv: variable, tokenFile: nil))
        }

        let accounts = Accounts(store: store)
        let ownerPassword = Self.password(), viewerPassword = Self.password()
        let owner = try await accounts.addUser(email: "owner@demo.ghlsync.dev", password: ownerPassword)
        let viewer = try await accounts.addUser(email: "viewer@demo.ghlsync.dev", password: viewerPassword)
        for source in sources { try await accounts.grant(.owner, to: owner.id, on: source.id) }
        try await accounts.grant(.viewer, to: viewer.id, on: sources[0].id)

        let keys = WebhookKeys.ghl.adding(try WebhookKeys(ed25519PEM: [sandbox.ed25519PublicKeyPEM], rsaPEM: [sandbox.rsaPublicKeyPEM]))
        let server = try await ProductServer(store: store, webhookKeys: keys, environment: environment,
                                             schedulerTick: .seconds(5), logger: logger)

        say("database \(path)")
        say("sandbox \(endpoint.baseURL)  (admin API: \(endpoint.baseURL)/_sandbox/...)")

        // The server binds first, so its port (possibly a free one) is known
        // before the sandbox is told where to send webhooks.
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Int.self)
        let startup = DemoStartup(bound: bound, sandbox: sandbox, store: store, engine: server.engine, sources: sources,
                                  activity: DemoActivity(sandbox: sandbox, locations: endpoint.locations.map(\.locationID), logger: logger),
                                  signIns: [
                                      "sign in as owner: \(owner.email) password \(ownerPassword)  (owner of both locations)",
                                      "sign in as viewer: \(viewer.email) password \(viewerPassword)  (viewer of \(sources[0].name))",
                                  ])
        let app = try server.application(host: "127.0.0.1", port: port, services: [startup], logger: logger) { port in
            boundContinuation.yield(port)
            boundContinuation.finish()
        }
        try await StartupChecks.serving(app, host: "127.0.0.1", port: port)
        await sandbox.stop()
    }

    private static func temporaryDatabase() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("demo.sqlite").path
    }

    /// A fresh password per run: the demo prints it, and nothing else knows it.
    private static func password() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}

/// What the demo does once the server listens: point the sandbox's webhooks
/// at it, run the first sync, print the sign-ins and the dashboard line, then
/// keep the sandbox moving until shutdown.
private struct DemoStartup: Service {
    let bound: AsyncStream<Int>
    let sandbox: GHLSandbox
    let store: Store
    let engine: SyncEngine
    let sources: [Source]
    let activity: DemoActivity
    let signIns: [String]

    func run() async throws {
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else { return }
        sandbox.webhookURL = "http://127.0.0.1:\(port)/webhooks/ghl"
        let results = try await withThrowingTaskGroup(of: (String, RunAllResult).self) { group in
            for source in sources {
                group.addTask { (source.id, try await engine.runAll(RunRequest(sourceId: source.id, mode: .full))) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for source in sources {
            say("first sync of \(source.name): Sync completed: \(results[source.id]?.summary ?? "not run")")
            // From now on a short schedule picks up what GHL sends no webhooks for (reviews, payments).
            _ = try await store.setSchedule(sourceId: source.id, interval: 20, mode: .incremental)
        }
        signIns.forEach(say)
        say("dashboard http://127.0.0.1:\(port)/")
        try await activity.run()
    }
}
