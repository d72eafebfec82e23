import Foundation
import GHLRealtime
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import HummingbirdWSClient
import Logging
import NIOCore
import Testing
import GHLJSON

/// A live server on 127.0.0.1 (port 0) serving only the realtime route.
/// With `sweeping`, the service's access sweep runs too, as `serve` runs it.
func withRealtimeServer(_ fixture: StoreFixture, _ authorizer: any ChannelAuthorizer,
                        configuration: RealtimeService.Configuration = .init(), sweeping: Bool = false,
                        _ body: @Sendable @escaping (_ port: Int, _ service: RealtimeService) async throws -> Void) async throws {
    let service = RealtimeService(bus: fixture.bus, authorizer: authorizer, configuration: configuration)
    let router = Router(context: RealtimeWebSocketContext.self)
    service.addRoutes(to: router)
    let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
                          configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
        let sweep = sweeping ? Task { try await service.run() } : nil
        defer { sweep?.cancel() }
        try await body(try #require(client.port), service)
    }
}

/// The client side of one connection, speaking Phoenix frames in `version`.
struct PhoenixTestClient {
    var iterator: WebSocketInboundMessageStream.AsyncIterator
    let outbound: WebSocketOutboundWriter
    let version: PhoenixVersion

    static func connect(port: Int, query: String, version: PhoenixVersion,
                        _ body: @Sendable @escaping (inout PhoenixTestClient) async throws -> Void) async throws {
        // Frames as large as browsers and realtime-py (1 MiB messages) accept; the default is 16 KiB.
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)\(RealtimeService.path)?\(query)",
                                          configuration: .init(maxFrameSize: 1 << 20),
                                          logger: Logger(label: "test-client")) { inbound, outbound, _ in
            var client = PhoenixTestClient(iterator: inbound.messages(maxSize: 1 << 22).makeAsyncIterator(),
                                           outbound: outbound, version: version)
            try await body(&client)
        }
    }

    func send(_ message: PhoenixMessage) async throws {
        try await outbound.write(.text(String(buffer: message.encoded(version))))
    }

    func sendRaw(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// The next frame as text, to check its serializer shape.
    mutating func receiveText() async throws -> String {
        guard case .text(let text) = try await iterator.next() else { throw TestFailure("expected a text frame") }
        return text
    }

    mutating func receive() async throws -> PhoenixMessage {
        try PhoenixMessage.decode(try await receiveText())
    }

    /// Joins `realtime:ghl:{sourceId}` as supabase clients do; `config` entries replace the defaults.
    func join(_ sourceId: String, token: String?, ref: String = "1", sinceSeq: Int64? = nil,
              config overrides: JSONObject = [:]) async throws {
        try await join(topic: "realtime:ghl:\(sourceId)", token: token, ref: ref, sinceSeq: sinceSeq, config: overrides)
    }

    func join(topic: String, token: String?, ref: String = "1", sinceSeq: Int64? = nil,
              config overrides: JSONObject = [:]) async throws {
        var config: JSONObject = [
            "broadcast": .object(["ack": .bool(false), "self": .bool(false)]),
            "presence": .object(["key": .string(""), "enabled": .bool(false)]),
            "private": .bool(true), "postgres_changes": .array([]),
        ]
        if let sinceSeq { config["ghlsync"] = .object(["since_seq": .number(Double(sinceSeq))]) }
        config.merge(overrides) { _, new in new }
        var payload: JSONObject = ["config": .object(config)]
        if let token { payload["access_token"] = .string(token) }
        try await send(PhoenixMessage(joinRef: ref, ref: ref, topic: topic, event: "phx_join", payload: .object(payload)))
    }

    /// Supabase's presence push: `{type: "presence", event, payload}`.
    func presence(_ sourceId: String, _ event: String, payload: JSONValue = .object([:]), ref: String, joinRef: String = "1") async throws {
        try await send(PhoenixMessage(joinRef: joinRef, ref: ref, topic: "realtime:ghl:\(sourceId)", event: "presence", payload: .object([
            "type": .string("presence"), "event": .string(event), "payload": payload,
        ])))
    }

    /// Messages until one satisfies `stop`, that one last.
    mutating func receive(until stop: (PhoenixMessage) -> Bool) async throws -> [PhoenixMessage] {
        var messages: [PhoenixMessage] = []
        while true {
            let message = try await receive()
            messages.append(message)
            if stop(message) { return messages }
        }
    }

    func heartbeat(ref: String) async throws {
        try await send(PhoenixMessage(ref: ref, topic: "phoenix", event: "heartbeat", payload: .object([:])))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension PhoenixMessage {
    var status: String? { payload["status"]?.stringValue }
    var reason: String? { payload["response"]?["reason"]?.stringValue }
    /// For a broadcast: the change inside `payload.payload`.
    var change: JSONValue? { payload["payload"] }
}

/// A connection several tasks of one test can use: clients of
/// `PhoenixTestClient.connect` live only inside its closure, so a test that
/// needs several at once opens them with `withPeers`.
final class Peer: @unchecked Sendable {
    var client: PhoenixTestClient

    init(_ client: PhoenixTestClient) { self.client = client }

    func join(_ sourceId: String, token: String?, ref: String = "1", sinceSeq: Int64? = nil,
              config: JSONObject = [:]) async throws {
        try await client.join(sourceId, token: token, ref: ref, sinceSeq: sinceSeq, config: config)
    }

    func send(_ message: PhoenixMessage) async throws { try await client.send(message) }
    func receive() async throws -> PhoenixMessage { try await client.receive() }
    func receive(until stop: (PhoenixMessage) -> Bool) async throws -> [PhoenixMessage] { try await client.receive(until: stop) }
    func heartbeat(ref: String) async throws { try await client.heartbeat(ref: ref) }
    func presence(_ sourceId: String, _ event: String, payload: JSONValue = .object([:]), ref: String, joinRef: String = "1") async throws {
        try await client.presence(sourceId, event, payload: payload, ref: ref, joinRef: joinRef)
    }
}

/// Opens one connection per serializer in `versions`, all open while `body` runs.
func withPeers(port: Int, _ versions: [PhoenixVersion], opened: [Peer] = [],
               _ body: @Sendable @escaping ([Peer]) async throws -> Void) async throws {
    guard let version = versions.first else { return try await body(opened) }
    try await PhoenixTestClient.connect(port: port, query: "vsn=\(version.rawValue)", version: version) { client in
        try await withPeers(port: port, Array(versions.dropFirst()), opened: opened + [Peer(client)], body)
    }
}
