import Foundation
import GHLPostgres
import GHLStore
import NIOPosix

/// The `realtime` scenario: N WebSocket clients joined on one source's channel
/// while the store commits E contact changes per second; every change must
/// reach every client.
///
/// Latency runs from the start of the committing write to the moment the
/// client's socket read returned the broadcast frame, for every event at every
/// client, so it includes the write itself. Nothing is sampled or dropped:
/// `delivered` counts distinct (client, event) receipts against `expected`,
/// and `duplicates` and `resync_signals` report what must stay zero. Each
/// client counts its latencies in a fixed histogram (`LatencyHistogram`) and
/// its receipts a bit each, so the benchmark's own memory does not grow with the run.
///
/// The clients (`BenchSocketClient`) run in this process on the same cores as
/// the server, so the RSS figures count both ends of each connection.
public struct RealtimeBench: Sendable {
    public var clients = 50
    public var eventsPerSecond = 500
    public var seconds = 5.0
    /// Changes per transaction: commits happen every `batch / eventsPerSecond` s.
    public var batch = 10
    /// Commit the changes from a separate process (`ghlsync bench realtime-writer`,
    /// this executable), as a CLI sync or another `serve` on the file would:
    /// they reach the server through the file's change log.
    public var crossProcess = false
    /// Serve and commit into this PostgreSQL database instead of a file in a temp dir
    /// (`serve --db postgres://` in-process; a new source each run, left there: give it a scratch database).
    public var postgres: PostgresURL?

    public init() {}

    public func run() async throws -> BenchReport {
        if let postgres { return try await run(postgres: postgres) }
        let database = try TemporaryDatabase()
        let store = database.store
        let source = try await store.addSource(name: "Realtime", locationId: "rt", apiBase: "http://127.0.0.1:1",
                                               tokenEnv: "UNUSED", tokenFile: nil).id
        return try await BenchServer.with(store: store) { server in
            try await measure(server, source: source, engine: "sqlite", childWriter: store.path) { records in
                try await store.upsert(.contacts, sourceId: source, records: records)
            }
        }
    }

    /// The same run over PostgreSQL: the writer commits through the store's
    /// pool, the server hears of each commit through `ghlsync_changes`.
    private func run(postgres url: PostgresURL) async throws -> BenchReport {
        guard !crossProcess else { throw BenchError("--cross-process is the file's: on PostgreSQL every writer is another connection already") }
        let store = try PostgresStore(url: url)
        do {
            try await store.checkConnection()
            try await store.migrate()
            let source = try Source.new(name: "Realtime", locationId: "rt", apiBase: "http://127.0.0.1:1", tokenEnv: "UNUSED", tokenFile: nil)
            try await store.addSource(source)
            let report = try await BenchServer.with(try await BenchServer(postgres: store)) { server in
                try await measure(server, source: source.id, engine: "postgres", childWriter: nil) { records in
                    try await store.upsert(.contacts, sourceId: source.id, records: records)
                }
            }
            await store.close()
            return report
        } catch {
            await store.close()
            throw BenchError("\(url): \(PostgresStore.message(for: error))")
        }
    }

    /// `commit` writes one transaction's records; `childWriter` is the file a
    /// `--cross-process` writer opens.
    private func measure(_ server: BenchServer, source: String, engine: String, childWriter: String?,
                         commit: ([EntityRecord]) async throws -> Void) async throws -> BenchReport {
        let token = try await server.user("rt-viewer@example.com", role: .viewer, on: source)
        let total = Int(Double(eventsPerSecond) * seconds)
        let progress = BenchClientProgress()
        let join = #"{"topic":"realtime:ghl:\#(source)","event":"phx_join","payload":{"config":{"broadcast":{"self":false},"private":true},"access_token":"\#(token)"},"ref":"1","join_ref":"1"}"#
        let setup = BenchSocketClient.Setup(port: server.port, path: "/realtime/v1/websocket?vsn=1.0.0", join: join,
                                            expected: total, progress: progress)

        let rssBefore = ProcessStats.residentBytes
        let sockets = try await Self.connect(clients, setup)
        let deadline = ContinuousClock.now + .seconds(60)
        while progress.joined < clients {
            if let failure = progress.firstFailure { throw BenchError(failure) }
            guard ContinuousClock.now < deadline else { throw BenchError("only \(progress.joined) of \(clients) clients joined") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let rssConnected = ProcessStats.residentBytes

        let start = ContinuousClock.now
        /// RSS a minute into the run: against the end's, it tells growth from a steady state.
        var rssAtMinute: Int?
        if crossProcess, let childWriter {
            try await writeInChildProcess(path: childWriter, source: source, total: total)
        } else {
            try await Self.write(total: total, batch: batch, eventsPerSecond: eventsPerSecond, willCommit: {
                if rssAtMinute == nil, ContinuousClock.now - start >= .seconds(60) { rssAtMinute = ProcessStats.residentBytes }
            }, commit: commit)
        }
        let committing = (ContinuousClock.now - start).seconds
        // Give the last events time to arrive, then stop.
        let drain = ContinuousClock.now + .seconds(5)
        while progress.completed < clients && ContinuousClock.now < drain {
            try await Task.sleep(for: .milliseconds(10))
        }
        let wall = (ContinuousClock.now - start).seconds
        let rssAfter = ProcessStats.residentBytes

        var latencies = LatencyHistogram()
        var duplicates = 0, signals = 0, clientBytes = 0
        for socket in sockets {
            let arrivals = try await socket.arrivals()
            clientBytes += arrivals.bytes
            latencies.add(arrivals.latencies)
            duplicates += arrivals.duplicates
            signals += arrivals.signals
        }
        for socket in sockets { await socket.close() }

        var report = BenchReport(scenario: "realtime")
        report.set("engine", engine)
        report.set("wall_seconds", wall)
        report.set("commit_seconds", committing)
        report.set("clients", clients)
        report.set("cross_process", crossProcess)
        report.set("events", total)
        report.set("events_per_second", eventsPerSecond)
        report.set("expected", total * clients)
        report.set("delivered", latencies.count)
        report.set("lost", total * clients - latencies.count)
        report.set("duplicates", duplicates)
        report.set("resync_signals", signals)
        report.set("frames_per_second", Double(latencies.count) / committing)
        report.set("latency_ms_p50", latencies.milliseconds(atPercentile: 50))
        report.set("latency_ms_p95", latencies.milliseconds(atPercentile: 95))
        report.set("latency_ms_p99", latencies.milliseconds(atPercentile: 99))
        report.set("latency_ms_max", latencies.milliseconds(atPercentile: 100))
        report.set("rss_bytes_before", rssBefore)
        report.set("rss_bytes_connected", rssConnected)
        report.set("rss_bytes", rssAfter)
        if let rssAtMinute { report.set("rss_bytes_at_1_minute", rssAtMinute) }
        report.set("rss_bytes_peak", ProcessStats.peakResidentBytes)
        report.set("rss_bytes_per_client", (rssConnected - rssBefore) / max(clients, 1))
        // The clients' receipts (a bit per event and a 4 KiB histogram per client) are in the RSS too: not the server's.
        report.set("bench_clients_receipt_bytes", clientBytes)
        return report
    }

    /// Upserts `total` contacts `rt-0`... in transactions of `batch` at
    /// `eventsPerSecond`, calling `willCommit` before each transaction. Each
    /// contact is named `rt-N@T`, T the `BenchClock` time its transaction
    /// began, from which a client measures the latency when it arrives.
    public static func write(_ store: Store, source: String, total: Int, batch: Int, eventsPerSecond: Int) async throws {
        try await write(total: total, batch: batch, eventsPerSecond: eventsPerSecond) { records in
            try await store.upsert(.contacts, sourceId: source, records: records)
        }
    }

    /// `write` through any database: `commit` writes one transaction's contacts.
    static func write(total: Int, batch: Int, eventsPerSecond: Int, willCommit: () -> Void = {},
                      commit: ([EntityRecord]) async throws -> Void) async throws {
        let interval = Duration.seconds(Double(batch) / Double(eventsPerSecond))
        var next = ContinuousClock.now
        var written = 0
        while written < total {
            let ids = written..<min(written + batch, total)
            willCommit()
            let committing = BenchClock.nanoseconds
            let records = ids.map { EntityRecord(ghlId: "rt-\($0)", values: ["first_name": .text("rt-\($0)@\(committing)")],
                                                 raw: "{\"id\":\"rt-\($0)\"}", ghlCreatedAt: nil, ghlUpdatedAt: nil) }
            try await commit(records)
            written += ids.count
            next = next + interval
            try await Task.sleep(until: next, clock: .continuous)
        }
    }

    /// Runs `ghlsync bench realtime-writer` on the file until it has written every change.
    private func writeInChildProcess(path: String, source: String, total: Int) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["bench", "realtime-writer", "--db", path, "--source", source, "--events", "\(total)",
                             "--events-per-second", "\(eventsPerSecond)", "--batch", "\(batch)"]
        try process.run()
        await Task.detached { process.waitUntilExit() }.value
        guard process.terminationStatus == 0 else { throw BenchError("the writer process failed (\(process.terminationStatus))") }
    }

    /// Connects and joins `clients` clients, fifty at a time, as a crowd reconnecting would.
    static func connect(_ clients: Int, _ setup: BenchSocketClient.Setup) async throws -> [BenchSocketClient] {
        var sockets: [BenchSocketClient] = []
        sockets.reserveCapacity(clients)
        for first in stride(from: 0, to: clients, by: 50) {
            try await withThrowingTaskGroup(of: BenchSocketClient.self) { group in
                for _ in first..<min(first + 50, clients) {
                    group.addTask { try await BenchSocketClient.connect(setup, group: MultiThreadedEventLoopGroup.singleton) }
                }
                for try await socket in group { sockets.append(socket) }
            }
        }
        return sockets
    }
}
