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
        discussion: "Runs each source's sync schedule while serving. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Address to listen on.") var host = "127.0.0.1"

    func run() async throws {
        let store = try database.open()
        let logger = Logger(label: "ghlsync")
        let server = try ProductServer(store: store, logger: logger)
        let host = host
        let app = server.application(host: host, port: port, logger: logger) { port in
            print("dashboard http://\(host):\(port)/")
            fflush(nil)
        }
        try await app.runService()
    }
}
