import Foundation
import GHLStore

/// `bench realtime --restart`: N clients joined on a source, the server
/// stops, `missed` changes are committed while it is down, a new server
/// starts on the file, and every client reconnects resuming from the seq it
/// last had. Reports how long the restart (to listening, caught up from the
/// file) and the replay (until every client has every missed event) take,
/// and whether every client got every event exactly once.
public struct RealtimeRestartBench: Sendable {
    public var clients = 50
    public var missed = 100_000

    public init() {}

    public func run() async throws -> BenchReport {
        let database = try TemporaryDatabase()
        let store = database.store
        let source = try await store.addSource(name: "Realtime", locationId: "rt", apiBase: "http://127.0.0.1:1",
                                         tokenEnv: "UNUSED", tokenFile: nil).id
        let origin = ContinuousClock.now
        let before = try await BenchServer(store: store)
        let token: String
        let seq: Int64
        do {
            token = try await before.user("rt-viewer@example.com", role: .viewer, on: source)
            seq = try await store.changeLogSnapshot(recent: 0).lastSeqs[source] ?? 0
            let progress = BenchClientProgress()
            let first = try await RealtimeBench.connect(clients, Self.setup(port: before.port, source: source, token: token, since: seq,
                                                                           expected: missed, progress: progress))
            try await Self.waitForJoins(progress, clients: clients)
            for socket in first { await socket.close() }
        } catch {
            await before.stop()
            throw error
        }
        let stopping = ContinuousClock.now
        await before.stop()
        let stopSeconds = (ContinuousClock.now - stopping).seconds

        let writing = ContinuousClock.now
        try await RealtimeBench.write(store, source: source, total: missed, batch: 1_000, eventsPerSecond: Int(Int32.max))
        let writeSeconds = (ContinuousClock.now - writing).seconds

        let restarting = ContinuousClock.now
        return try await BenchServer.with(store: store) { server in
            let restartSeconds = (ContinuousClock.now - restarting).seconds
            let progress = BenchClientProgress()
            let replaying = ContinuousClock.now
            let sockets = try await RealtimeBench.connect(clients, Self.setup(port: server.port, source: source, token: token, since: seq,
                                                                              expected: missed, progress: progress))
            let deadline = ContinuousClock.now + .seconds(600)
            while progress.completed < clients && ContinuousClock.now < deadline {
                if let failure = progress.firstFailure { throw BenchError(failure) }
                try await Task.sleep(for: .milliseconds(10))
            }
            let replaySeconds = (ContinuousClock.now - replaying).seconds
            var delivered = 0, duplicates = 0, signals = 0, complete = 0
            for socket in sockets {
                let arrivals = try await socket.arrivals()
                delivered += arrivals.count
                if arrivals.count == missed { complete += 1 }
                duplicates += arrivals.duplicates
                signals += arrivals.signals
            }
            for socket in sockets { await socket.close() }

            var report = BenchReport(scenario: "realtime-restart")
            report.set("wall_seconds", (ContinuousClock.now - origin).seconds)
            report.set("clients", clients)
            report.set("missed_events", missed)
            report.set("stop_seconds", stopSeconds)
            report.set("write_seconds_while_down", writeSeconds)
            report.set("restart_seconds", restartSeconds)
            report.set("replay_seconds", replaySeconds)
            report.set("replayed_events_per_second", Double(delivered) / replaySeconds)
            report.set("expected", missed * clients)
            report.set("delivered", delivered)
            report.set("lost", missed * clients - delivered)
            report.set("duplicates", duplicates)
            report.set("refetch_or_resync_signals", signals)
            report.set("every_client_every_event_once", complete == clients && duplicates == 0 && signals == 0)
            report.set("rss_bytes_peak", ProcessStats.peakResidentBytes)
            return report
        }
    }

    /// Clients joining `source`'s channel, resuming after `since`.
    private static func setup(port: Int, source: String, token: String, since: Int64, expected: Int,
                              progress: BenchClientProgress) -> BenchSocketClient.Setup {
        let join = #"{"topic":"realtime:ghl:\#(source)","event":"phx_join","payload":{"config":{"broadcast":{"self":false},"private":true,"ghlsync":{"since_seq":\#(since)}},"access_token":"\#(token)"},"ref":"1","join_ref":"1"}"#
        return BenchSocketClient.Setup(port: port, path: "/realtime/v1/websocket?vsn=1.0.0", join: join,
                                       expected: expected, progress: progress)
    }

    private static func waitForJoins(_ progress: BenchClientProgress, clients: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while progress.joined < clients {
            if let failure = progress.firstFailure { throw BenchError(failure) }
            guard ContinuousClock.now < deadline else { throw BenchError("only \(progress.joined) of \(clients) clients joined") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
