import Foundation
import Logging
import NIOCore
import GHLJSON

/// One WebSocket client speaking Phoenix channels: its joined channels, their
/// grants, and the feed per channel that takes bus events to the socket.
actor RealtimeConnection {
    private let service: RealtimeService
    private let writer: SocketWriter
    private let parameters: ConnectionParameters
    private let logger: Logger
    private var channels: [String: JoinedChannel] = [:]

    /// A channel this client has joined.
    struct JoinedChannel {
        let joinRef: String?
        let sourceId: String
        var grant: ChannelGrant
        let subscription: BusSubscription
        /// `config.presence.key`, or a random one when the client left it empty (as Supabase does).
        let presenceKey: String
    }

    /// A joined channel as the grant sweep sees it.
    struct GrantSnapshot: Sendable {
        let topic: String
        let subscriptionId: Int
        let sourceId: String
        let grant: ChannelGrant
    }

    init(service: RealtimeService, writer: SocketWriter, parameters: ConnectionParameters, logger: Logger) {
        self.service = service
        self.writer = writer
        self.parameters = parameters
        self.logger = logger
    }

    var version: PhoenixVersion { parameters.version }

    func receive(_ message: PhoenixMessage) async {
        switch (message.topic, message.event) {
        case ("phoenix", "heartbeat"):
            reply(to: message, status: "ok", response: .object([:]))
        case (_, "phx_join"):
            await join(message)
        case (_, "phx_leave"):
            if let channel = channels.removeValue(forKey: message.topic) { stop(channel) }
            reply(to: message, status: "ok", response: .object([:]))
        case (_, "access_token") where channels[message.topic] != nil:
            await refreshToken(message)
        case (_, "presence") where channels[message.topic] != nil:
            presence(message)
        case (_, _) where channels[message.topic] != nil:
            reply(to: message, status: "error", response: .object([
                "reason": .string("\(message.event) is not supported: ghl channels carry committed changes from the server only"),
            ]))
        default:
            reply(to: message, status: "error", response: .object(["reason": .string("unmatched topic")]))
        }
    }

    /// Leaves every channel; the socket is gone.
    func shutdown() {
        for channel in channels.values { stop(channel) }
        channels = [:]
    }

    func grantSnapshots() -> [GrantSnapshot] {
        channels.map { topic, channel in
            GrantSnapshot(topic: topic, subscriptionId: channel.subscription.id, sourceId: channel.sourceId, grant: channel.grant)
        }
    }

    /// Closes a channel the way Supabase Realtime shuts one down: a `system`
    /// error naming the reason, then `phx_close`. Does nothing when the channel
    /// has since been left or joined again.
    func close(topic: String, subscriptionId: Int, reason: String) {
        guard let channel = channels[topic], channel.subscription.id == subscriptionId else { return }
        channels[topic] = nil
        stop(channel)
        logger.info("realtime channel closed", metadata: ["topic": "\(topic)", "reason": "\(reason)"])
        send(PhoenixMessage(topic: topic, event: "system", payload: .object([
            "channel": .string(String(topic.dropFirst(RealtimeTopic.channelPrefix.count))),
            "extension": .string("system"), "message": .string(reason), "status": .string("error"),
        ])))
        send(PhoenixMessage(joinRef: channel.joinRef, ref: channel.joinRef, topic: topic, event: "phx_close", payload: .object([:])))
    }

    private func join(_ message: PhoenixMessage) async {
        func refuse(_ reason: String) {
            reply(to: message, status: "error", response: .object(["reason": .string(reason)]))
        }
        // A second join of a topic replaces the first, as in Phoenix.
        if let previous = channels.removeValue(forKey: message.topic) { stop(previous) }
        guard let sourceId = RealtimeTopic.sourceId(ofChannel: message.topic) else {
            return refuse("unknown topic \(message.topic): ghlsync serves realtime:ghl:{source_id}")
        }
        let config = message.payload["config"]
        if case .array(let bindings) = config?["postgres_changes"], !bindings.isEmpty {
            return refuse("postgres_changes is not available: listen to broadcast events INSERT, UPDATE and DELETE")
        }
        guard let token = message.payload["access_token"]?.stringValue ?? parameters.token else {
            return refuse(ChannelAuthorizationError.missingToken.reason)
        }
        let grant: ChannelGrant
        do {
            grant = try await service.authorizer.authorize(accessToken: token, sourceId: sourceId)
        } catch let error as ChannelAuthorizationError {
            return refuse(error.reason)
        } catch {
            logger.error("realtime authorization failed", metadata: ["error": "\(error)"])
            return refuse("authorization failed")
        }
        // `config.ghlsync.since_seq`; `config.broadcast.replay.since_seq` is accepted too.
        let replay = config?["broadcast"]?["replay"]
        let since = (config?["ghlsync"]?["since_seq"] ?? replay?["since_seq"])?.int64Value
        // Supabase's own replay: `config.broadcast.replay: {since: <ms>, limit}`.
        let window = replay?["since"]?.int64Value.map { TopicBus.ReplayWindow(since: $0, limit: replay?["limit"]?.int64Value.map(Int.init)) }
        let subscription = service.bus.subscribe(to: RealtimeTopic.sourcePrefix + sourceId, after: since, replay: window)
        let response: JSONObject = ["seq": .number(Double(subscription.seqAtSubscribe)), "resumed": .bool(subscription.resumed)]
        let key = config?["presence"]?["key"]?.stringValue.flatMap { $0.isEmpty ? nil : String($0.prefix(256)) }
        channels[message.topic] = JoinedChannel(joinRef: message.joinRef ?? message.ref, sourceId: sourceId, grant: grant,
                                                subscription: subscription, presenceKey: key ?? UUID().uuidString.lowercased())
        reply(to: message, status: "ok", response: .object(["ghlsync": .object(response)]))
        let state = service.presence.enter(channel: subscription.id, .init(topic: message.topic, writer: writer, version: version))
        if config?["presence"]?["enabled"] == .bool(true) { send(PhoenixMessage(topic: message.topic, event: "presence_state", payload: state)) }
        // Attached after the reply is queued on the socket, so no event overtakes it.
        subscription.attach(ChannelFeed(subscription: subscription, topic: message.topic, sourceId: sourceId,
                                        version: parameters.version, writer: writer))
    }

    /// `{type: "presence", event: "track" | "untrack", payload}` on a joined channel:
    /// answered first, then the diff reaches every channel of the topic, this one included.
    private func presence(_ message: PhoenixMessage) {
        guard let channel = channels[message.topic] else { return }
        let id = channel.subscription.id
        switch message.payload["event"]?.stringValue {
        case "track":
            guard case .object(let payload) = message.payload["payload"] ?? .object([:]),
                  message.payload["payload"].map({ $0.encoded.count <= PresenceRegistry.maxPayloadBytes }) ?? true else {
                return reply(to: message, status: "error", response: .object([
                    "reason": .string("track needs an object payload of at most \(PresenceRegistry.maxPayloadBytes) bytes"),
                ]))
            }
            reply(to: message, status: "ok", response: .object([:]))
            service.presence.track(channel: id, topic: message.topic, key: channel.presenceKey, payload: payload)
        case "untrack":
            reply(to: message, status: "ok", response: .object([:]))
            service.presence.untrack(channel: id, topic: message.topic)
        default:
            reply(to: message, status: "error", response: .object(["reason": .string("presence events are track and untrack")]))
        }
    }

    private func refreshToken(_ message: PhoenixMessage) async {
        guard let channel = channels[message.topic] else { return }
        guard let token = message.payload["access_token"]?.stringValue else {
            return close(topic: message.topic, subscriptionId: channel.subscription.id,
                               reason: ChannelAuthorizationError.missingToken.reason)
        }
        do {
            channels[message.topic]?.grant = try await service.authorizer.authorize(accessToken: token, sourceId: channel.sourceId)
            if message.ref != nil { reply(to: message, status: "ok", response: .object([:])) }
        } catch {
            let reason = (error as? ChannelAuthorizationError)?.reason ?? "authorization failed"
            close(topic: message.topic, subscriptionId: channel.subscription.id, reason: reason)
        }
    }

    private func stop(_ channel: JoinedChannel) {
        channel.subscription.cancel()
        service.presence.untrack(channel: channel.subscription.id, topic: RealtimeTopic.channelTopic(for: channel.subscription.topic),
                                 leaving: true)
    }

    private func reply(to message: PhoenixMessage, status: String, response: JSONValue) {
        send(PhoenixMessage(joinRef: message.joinRef, ref: message.ref, topic: message.topic, event: "phx_reply",
                                  payload: .object(["status": .string(status), "response": response])))
    }

    private func send(_ message: PhoenixMessage) {
        writer.send(WebSocketWire.textFrame(message.encoded(parameters.version)))
    }
}

extension Delivery.Signal {
    var reason: String {
        switch self {
        case .resync: "this client fell behind and missed events: reload the data"
        case .refetch: "the requested since_seq is older than the change log keeps: reload the data"
        }
    }
}
