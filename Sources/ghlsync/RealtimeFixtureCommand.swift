import ArgumentParser
import Foundation
import GHLAuth
import GHLRealtime
import GHLStore
import Hummingbird
import HummingbirdWebSocket

/// Hidden test support for Tests/python/test_realtime_interop.py: the realtime
/// endpoint alone over a database, so a real Supabase client can be checked
/// against the protocol without a sync. Joins are authorized as `serve` does
/// (GHLAuth tokens from `ghlsync users token`, grants in `user_sources`). Each stdin line `upsert <source_id> <contact_id> <first_name>`
/// commits a contact change in this process and is answered by `ok`.
struct RealtimeFixtureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "realtime-fixture", abstract: "Serve only the realtime WebSocket, for interop tests.",
        shouldDisplay: false)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Port on 127.0.0.1; 0 picks a free one.") var port: Int = 0

    func run() async throws {
        let store = try database.open()
        let bus = TopicBus()
        store.onCommit { bus.publish($0) }
        let realtime = RealtimeService(bus: bus, authorizer: AuthChannelAuthorizer(auth: try await AuthService(store: store)))
        let router = Router(context: BasicWebSocketRequestContext.self)
        realtime.addRoutes(to: router)
        let app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname("127.0.0.1", port: port)), services: [realtime],
            onServerRunning: { channel in
                say("realtime http://127.0.0.1:\(channel.localAddress?.port ?? 0)/realtime/v1")
            })
        Thread { Self.applyCommands(store) }.start()
        try await app.runService()
    }

    private static func applyCommands(_ store: Store) {
        while let line = readLine() {
            let words = line.split(separator: " ").map(String.init)
            guard words.count == 4, words[0] == "upsert" else {
                say("error: expected `upsert <source_id> <contact_id> <first_name>`")
                continue
            }
            do {
                try store.upsert(.contacts, sourceId: words[1], records: [EntityRecord(
                    ghlId: words[2], values: [:],
                    raw: #"{"firstName":"\#(words[3])","id":"\#(words[2])"}"#, ghlCreatedAt: nil, ghlUpdatedAt: nil)])
                say("ok")
            } catch {
                say("error: \(error)")
            }
        }
    }
}

/// Writes a line to stdout at once: the test reading it waits for it.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
