import ArgumentParser
import Foundation
import GHLServer
import GHLStore
import Logging

/// `ghlsync serve`: the dashboard, the HTTP API, realtime and the schedules over one file.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the dashboard, /rest/v1, /functions/v1, webhooks and realtime over a ghlsync file.",
        discussion: """
            Prints `dashboard http://<host>:<port>/` once it listens. Runs each source's sync schedule \
            while serving. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM, letting the page being synced commit.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Keep the file's change log for this many hours (stored in the file; 72 by default).")
    var changeLogHours: Int?
    @Option(help: "Keep at most this many rows in the file's change log (stored in the file; 1000000 by default).")
    var changeLogRows: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard changeLogHours ?? 1 > 0, changeLogRows ?? 1 > 0 else {
            throw ValidationError("--change-log-hours and --change-log-rows must be positive")
        }
    }

    func run() async throws {
        let store = try database.open()
        if changeLogHours != nil || changeLogRows != nil {
            var bounds = try store.changeLogBounds()
            if let changeLogHours { bounds.maxAgeSeconds = changeLogHours * 3600 }
            if let changeLogRows { bounds.maxRows = changeLogRows }
            try store.setChangeLogBounds(bounds)
        }
        let logger = Logger(label: "ghlsync")
        let server = try await reportingErrors { try await ProductServer(store: store, logger: logger) }
        let host = host
        let app = server.application(host: host, port: port, logger: logger) { port in
            say("dashboard http://\(host):\(port)/")
        }
        try await app.runService()
    }
}
