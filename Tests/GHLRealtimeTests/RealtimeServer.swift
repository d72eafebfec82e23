import Foundation
import GHLRealtime
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import HummingbirdWSClient
import Logging
import NIOCore
import Testing

/// A live server on 127.0.0.1 (port 0) serving only the realtime route.
func withRealtimeServer(_ fixture: StoreFixture, _ authorizer: TestAuthorizer,
                        _ body: @Sendable @escaping (_ port: Int, _ service: RealtimeService) async throws -> Void) async throws {
    let service = RealtimeService(bus: fixture.bus, authorizer: authorizer)
    let router = Router(context: RealtimeWebSocketContext.self)
    service.addRoutes(to: router)
    let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
                          configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
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

    func join(_ sourceId: String, token: String?, ref: String = "1", sinceSeq: Int64? = nil) async throws {
        var config: [String: JSONValue] = [
            "broadcast": .object(["ack": .bool(false), "self": .bool(false)]),
            "presence": .object(["key": .string(""), "enabled": .bool(false)]),
            "private": .bool(true), "postgres_changes": .array([]),
        ]
        if let sinceSeq { config["ghlsync"] = .object(["since_seq": .integer(sinceSeq)]) }
        var payload: [String: JSONValue] = ["config": .object(config)]
        if let token { payload["access_token"] = .string(token) }
        try await send(PhoenixMessage(joinRef: ref, ref: ref, topic: "realtime:ghl:\(sourceId)", event: "phx_join",
                                      payload: .object(payload)))
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
