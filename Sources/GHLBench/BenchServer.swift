import Foundation
import GHLAuth
import GHLPostgres
import GHLServer
import GHLStore
import Hummingbird
import Logging

/// `ghlsync serve` in-process on 127.0.0.1 with a free port, for the
/// benchmarks that measure the HTTP and WebSocket front.
final class BenchServer: Sendable {
    let server: ProductServer
    let port: Int
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    convenience init(store: Store) async throws {
        try await self.init { try await ProductServer(store: store, environment: [:], logger: $0) }
    }

    /// `serve --db postgres://` in-process: realtime follows `ghlsync_changes`.
    convenience init(postgres: PostgresStore) async throws {
        try await self.init { try await ProductServer(postgres: postgres, environment: [:], logger: $0) }
    }

    private init(making: (Logger) async throws -> ProductServer) async throws {
        var logger = Logger(label: "ghlsync.bench")
        logger.logLevel = .error
        server = try await making(logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try server.application(host: "127.0.0.1", port: 0, logger: logger) { continuation.yield($0) }
        task = Task { try await app.runService() }
        guard let bound = await ports.first(where: { _ in true }) else { throw BenchError("the server did not start") }
        port = bound
    }

    /// A user with `role` on `sourceId` (the one a kept database already has,
    /// or a new one), and an access token for it.
    func user(_ email: String, role: Role, on sourceId: String) async throws -> String {
        let accounts = server.auth.accounts
        let existing = try? await accounts.user(email: email)
        let user = if let existing { existing } else { try await accounts.addUser(email: email) }
        try await accounts.grant(role, to: user.id, on: sourceId)
        return try await server.auth.issueToken(for: user.id).accessToken
    }

    /// Runs `body` against a fresh server and stops the server however `body` ends:
    /// a server left running would keep the process from exiting.
    static func with<T: Sendable>(store: Store, _ body: (BenchServer) async throws -> T) async throws -> T {
        try await with(try await BenchServer(store: store), body)
    }

    static func with<T: Sendable>(_ server: BenchServer, _ body: (BenchServer) async throws -> T) async throws -> T {
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
