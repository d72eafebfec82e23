import Foundation
import NIOCore
import Synchronization
import GHLJSON

/// Presence as Supabase Realtime serves it (Phoenix Presence's wire shapes):
/// who tracks what on each channel topic, told to the topic's joined channels
/// as `presence_state` (on join) and `presence_diff` (on every track, untrack
/// and leave).
///
/// Only joined channels take part, and a channel is joined only once its user
/// holds the source, so presence is authorized like the channel: a user
/// without the source neither sees nor is seen. A channel closed for any
/// reason (leave, socket gone, revoked grant or session) leaves presence.
/// `phx_ref`s are random, so they count nothing across topics. Presence
/// changes are rare beside broadcasts, so messages are encoded per listener.
final class PresenceRegistry: Sendable {
    /// Largest tracked payload, as JSON: presence is a status, not a data channel.
    static let maxPayloadBytes = 4_096

    /// A joined channel, as presence reaches it.
    struct Listener: Sendable {
        let topic: String
        let writer: SocketWriter
        let version: PhoenixVersion

        func send(_ event: String, _ payload: JSONValue) {
            writer.send(WebSocketWire.textFrame(PhoenixMessage(topic: topic, event: event, payload: payload).encoded(version)))
        }
    }

    private struct Presence {
        let key: String
        /// The tracked payload with its `phx_ref`.
        let meta: JSONObject
    }

    private struct Topic {
        var listeners: [Int: Listener] = [:]
        var presences: [Int: Presence] = [:]

        /// `{key: {metas: [...]}}`, Phoenix's state shape.
        static func state(_ presences: some Sequence<Presence>) -> JSONValue {
            var byKey: [String: [JSONValue]] = [:]
            for presence in presences { byKey[presence.key, default: []].append(.object(presence.meta)) }
            return .object(JSONObject(byKey.map { JSONField(key: $0.key, value: ["metas": .array($0.value)]) }))
        }
    }

    private let topics = Mutex<[String: Topic]>([:])

    /// Registers a joined channel and returns the topic's presence state, for its `presence_state`.
    func enter(channel id: Int, _ listener: Listener) -> JSONValue {
        topics.withLock { topics in
            topics[listener.topic, default: Topic()].listeners[id] = listener
            return Topic.state(topics[listener.topic]!.presences.values)
        }
    }

    /// Tracks (or replaces) the channel's presence under `key`; every listener gets the diff.
    func track(channel id: Int, topic: String, key: String, payload: JSONObject) {
        var meta = payload
        meta["phx_ref"] = .string(Self.newRef())
        change(topic: topic, channel: id, to: Presence(key: key, meta: meta))
    }

    /// Removes the channel's presence, if any; with `leaving`, the channel too.
    func untrack(channel id: Int, topic: String, leaving: Bool = false) {
        change(topic: topic, channel: id, to: nil, leaving: leaving)
    }

    private func change(topic: String, channel id: Int, to presence: Presence?, leaving: Bool = false) {
        let (listeners, diff): ([Listener], JSONValue?) = topics.withLock { topics in
            guard var entry = topics[topic], entry.listeners[id] != nil else { return ([], nil) }
            let left = entry.presences[id]
            entry.presences[id] = presence
            if leaving { entry.listeners[id] = nil }
            topics[topic] = entry.listeners.isEmpty ? nil : entry
            guard left != nil || presence != nil else { return ([], nil) }
            let diff = JSONValue.object(["joins": Topic.state(presence.map { [$0] } ?? []),
                                         "leaves": Topic.state(left.map { [$0] } ?? [])])
            return (Array(entry.listeners.values), diff)
        }
        guard let diff else { return }
        for listener in listeners { listener.send("presence_diff", diff) }
    }

    /// A random reference, like Phoenix's: unique, and numbering nothing.
    private static func newRef() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
    }
}
