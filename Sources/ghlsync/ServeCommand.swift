import ArgumentParser
import Foundation
import GHLServer
import GHLStore
import Logging
import NIOCore

/// `ghlsync serve`: the dashboard, the HTTP API, realtime and the schedules over one file or PostgreSQL database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the dashboard, /rest/v1, /functions/v1, webhooks and realtime over a ghlsync file or PostgreSQL database.",
        discussion: """
            Prints `dashboard http(s)://<host>:<port>/` once it listens. Runs each source's sync schedule \
            while serving. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM, letting the page being synced commit. \
            On PostgreSQL, reads run under the database's row-level security and realtime follows its \
            ghlsync_changes, so several servers can share one database.
            """)

    @OptionGroup var database: SyncDatabaseOption
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Address to listen on (0.0.0.0: every interface; use TLS then).") var host = "127.0.0.1"
    @Option(help: "PEM certificate chain: serve HTTPS and WSS (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Option(name: .customLong("allowed-host"),
            help: "A Host name clients use to reach the server (repeatable), besides --host, localhost and 127.0.0.1. Others get 421.")
    var allowedHosts: [String] = []
    @Option(help: "Environment variable holding the bearer token /metrics requires (without it /metrics is off).")
    var metricsTokenEnv: String?
    @Option(help: "Keep the change log for this many hours (72 by default; stored in a SQLite file; on PostgreSQL every server prunes one table, so the strictest server's bound holds).")
    var changeLogHours: Int?
    @Option(help: "Keep at most this many rows in the change log (1000000 by default; stored in a SQLite file; on PostgreSQL every server prunes one table, so the strictest server's bound holds).")
    var changeLogRows: Int?
    @Option(help: "Keep at most this many MiB of the file in the change log (stored in the file; 256 by default).")
    var changeLogMib: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard changeLogHours ?? 1 > 0, changeLogRows ?? 1 > 0, changeLogMib ?? 1 > 0 else {
            throw ValidationError("--change-log-hours, --change-log-rows and --change-log-mib must be positive")
        }
    }

    func run() async throws {
        let tls = try tlsCert.map { try ServerTLS.configuration(certificateFile: $0, keyFile: tlsKey ?? "") }
        let metricsToken = try metricsTokenEnv.map { try Self.metricsToken(fromVariable: $0) }
        if case .file(let path) = try DatabaseTarget(database.given) { try StartupChecks.requireWritableFolder(of: path) }
        let logger = Logger(label: "ghlsync")
        try await database.with { database in
            let server = switch database {
            case .file(let store): try await reportingErrors {
                try await applyChangeLogBounds(store)
                return try await ProductServer(store: store, logger: logger)
            }
            case .postgres(let store): try await reportingErrors {
                guard changeLogMib == nil else { throw ValidationError("--change-log-mib bounds a SQLite file's log; on PostgreSQL --change-log-rows does") }
                return try await ProductServer(postgres: store, changeLogBounds: boundsFromOptions(ChangeLogBounds()), logger: logger)
            }
            }
            if tls == nil && !Self.isLoopback(host) {
                warn("warning: serving plain HTTP on \(host): passwords and access tokens would cross the network in clear; "
                     + "add --tls-cert FILE --tls-key FILE")
            }
            if ["0.0.0.0", "::", "[::]"].contains(host) && allowedHosts.isEmpty {
                warn("note: only requests for localhost and 127.0.0.1 are answered (others get 421); "
                     + "name the host clients use with --allowed-host NAME")
            }
            let host = host, scheme = tls == nil ? "http" : "https"
            let app = try server.application(host: host, port: port, tls: tls, allowedHosts: Set(allowedHosts),
                                             metricsToken: metricsToken, logger: logger) { port in
                say("dashboard \(scheme)://\(host):\(port)/")
            }
            try await StartupChecks.serving(app, host: host, port: port)
        }
    }

    /// Stores the change log's bounds the options give.
    private func applyChangeLogBounds(_ store: Store) async throws {
        guard changeLogHours != nil || changeLogRows != nil || changeLogMib != nil else { return }
        try await store.setChangeLogBounds(boundsFromOptions(try await store.changeLogBounds()))
    }

    /// `bounds` with what the options set in place of its own.
    private func boundsFromOptions(_ bounds: ChangeLogBounds) -> ChangeLogBounds {
        var bounds = bounds
        if let changeLogHours { bounds.maxAgeSeconds = changeLogHours * 3600 }
        if let changeLogRows { bounds.maxRows = changeLogRows }
        if let changeLogMib { bounds.maxBytes = changeLogMib << 20 }
        return bounds
    }

    private static func metricsToken(fromVariable name: String) throws -> String {
        guard let token = ProcessInfo.processInfo.environment[name], !token.isEmpty else {
            throw CLIError("--metrics-token-env \(name): the variable is not set or empty")
        }
        return token
    }

    static func isLoopback(_ host: String) -> Bool {
        ["localhost", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
    }
}
