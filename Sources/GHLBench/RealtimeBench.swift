import Foundation
import GHLStore
import GRDB
import HummingbirdWSClient
import Logging
import Synchronization

/// The `realtime` scenario: N WebSocket clients joined on one source's channel
/// while the store commits E contact changes per second; every change must
/// reach every client. Latency runs from the start of the committing write to
/// the client reading the broadcast frame, so it includes the write itself.
/// Clients run in this process, so `rss_bytes` counts them too.
public struct RealtimeBench: Sendable {
    public var clients = 50
    public var eventsPerSecond = 500
    public var seconds = 5.0
    /// Changes per transaction: commits happen every `batch / eventsPerSecond` s.
    public var batch = 10

    public init() {}

    public func run() async throws -> BenchReport {
        let database = try TemporaryDatabase()
        let source = try database.store.addSource(name: "Realtime", locationId: "rt", apiBase: "http://127.0.0.1:1",
                                                  tokenEnv: "UNUSED", tokenFile: nil).id
        return try await BenchServer.with(store: database.store) { server in try await measure(server, store: database.store, source: source) }
    }

    private func measure(_ server: BenchServer, store: Store, source: String) async throws -> BenchReport {
        let token = try await server.user("rt-viewer@example.com", role: .viewer, on: source)
        let rssBefore = ProcessStats.residentBytes
        let total = Int(Double(eventsPerSecond) * seconds)
        let recorder = LatencyRecorder(events: total)

        var connections: [Task<Void, any Error>] = []
        defer { for connection in connections { connection.cancel() } }
        for _ in 0..<clients {
            connections.append(Task {
                try await Self.client(url: "ws://127.0.0.1:\(server.port)/realtime/v1/websocket?vsn=1.0.0",
                                      topic: "realtime:ghl:\(source)", token: token, expected: total,
                                      recorder: recorder)
            })
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while recorder.joined < clients {
            guard ContinuousClock.now < deadline else { throw BenchError("only \(recorder.joined) of \(clients) clients joined") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let connectedRSS = ProcessStats.residentBytes

        let start = ContinuousClock.now
        let interval = Duration.seconds(Double(batch) / Double(eventsPerSecond))
        var next = start
        var written = 0
        while written < total {
            let ids = (written..<min(written + batch, total)).map { $0 }
            let records = ids.map { EntityRecord(ghlId: "rt-\($0)", values: ["first_name": "rt-\($0)".databaseValue],
                                                 raw: "{\"id\":\"rt-\($0)\"}", ghlCreatedAt: nil, ghlUpdatedAt: nil) }
            recorder.committed(ids, at: ContinuousClock.now)
            try store.upsert(.contacts, sourceId: source, records: records)
            written += ids.count
            next = next + interval
            try await Task.sleep(until: next, clock: .continuous)
        }
        // Give the last events time to arrive, then stop.
        let drain = ContinuousClock.now + .seconds(5)
        while recorder.delivered < total * clients && ContinuousClock.now < drain {
            try await Task.sleep(for: .milliseconds(20))
        }
        let wall = (ContinuousClock.now - start).seconds
        let latencies = Percentiles(recorder.latencies)

        var report = BenchReport(scenario: "realtime")
        report.set("wall_seconds", wall)
        report.set("clients", clients)
        report.set("events", total)
        report.set("events_per_second", eventsPerSecond)
        report.set("delivered", recorder.delivered)
        report.set("lost", total * clients - recorder.delivered)
        report.set("latency_ms_p50", latencies.value(50))
        report.set("latency_ms_p95", latencies.value(95))
        report.set("latency_ms_p99", latencies.value(99))
        report.set("rss_bytes", ProcessStats.residentBytes)
        report.set("rss_bytes_per_client", (connectedRSS - rssBefore) / max(clients, 1))
        return report
    }

    /// One Phoenix client: join, then read broadcasts until `expected` arrived or cancelled.
    private static func client(url: String, topic: String, token: String, expected: Int,
                               recorder: LatencyRecorder) async throws {
        var logger = Logger(label: "ghlsync.bench.client")
        logger.logLevel = .critical
        try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
            let join = #"{"topic":"\#(topic)","event":"phx_join","payload":{"config":{"broadcast":{"self":false},"private":true},"access_token":"\#(token)"},"ref":"1","join_ref":"1"}"#
            try await outbound.write(.text(join))
            var received = 0
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                if text.contains("\"phx_reply\"") {
                    guard text.contains("\"ok\"") else { throw BenchError("join refused: \(text)") }
                    recorder.clientJoined()
                } else if let id = LatencyRecorder.eventId(in: text) {
                    recorder.arrived(id, at: ContinuousClock.now)
                    received += 1
                    if received == expected { return }
                }
            }
        }
    }
}

/// Joined clients, commit instants by event, and the latencies of their arrivals.
final class LatencyRecorder: Sendable {
    private struct State {
        var joined = 0
        var committedAt: [ContinuousClock.Instant?]
        var latencies: [Double] = []
    }
    private let state: Mutex<State>

    init(events: Int) {
        state = Mutex(State(committedAt: Array(repeating: nil, count: events)))
    }

    func clientJoined() {
        state.withLock { $0.joined += 1 }
    }

    var joined: Int { state.withLock { $0.joined } }

    func committed(_ ids: [Int], at instant: ContinuousClock.Instant) {
        state.withLock { for id in ids { $0.committedAt[id] = instant } }
    }

    func arrived(_ id: Int, at instant: ContinuousClock.Instant) {
        state.withLock {
            guard let committed = $0.committedAt[id] else { return }
            $0.latencies.append((instant - committed).seconds * 1000)
        }
    }

    var latencies: [Double] { state.withLock { $0.latencies } }
    var delivered: Int { state.withLock { $0.latencies.count } }

    /// The benchmark's event number, from a broadcast frame naming `"ghl_contact_id":"rt-N"`.
    static func eventId(in frame: String) -> Int? {
        guard let marker = frame.range(of: "\"ghl_contact_id\":\"rt-") else { return nil }
        return Int(frame[marker.upperBound...].prefix { $0.isNumber })
    }
}
