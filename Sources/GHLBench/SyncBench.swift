import Foundation
import GHLAPI
import GHLJSON
import GHLPostgres
import GHLSandbox
import GHLStore
import GHLSync

/// The `sync`, `sync-throttled`, `incremental` and `seed-baseline` scenarios:
/// a sandbox child process with one location, a database in a temp dir, and
/// the sync engine of this process.
public struct SyncBench: Sendable {
    public var size: RecordCounts
    /// The sandbox's pipelines per location (its default).
    public var pipelines = 3
    /// Measure what the change log costs: the full sync runs three times in
    /// the same run: on a file without the log's triggers (capture off); with
    /// them and no listener, as a CLI `sync` writes (the log alone); then with
    /// a listener on the store's commits, as `ghlsync serve` has (the log, and
    /// the relay reading every change's payload after each commit).
    public var captureChanges = false
    /// Also sync into this PostgreSQL database, after the SQLite file, in the same run.
    public var postgres: PostgresURL?

    public init(size: RecordCounts) {
        self.size = size
    }

    /// The fewest requests a full sync can make: the sum over entities of
    /// ceil(records / max page), pipelines being one unpaged request.
    public var minimumRequests: Int {
        func pages(_ count: Int, _ resource: GHLResource) -> Int { max(1, (count + resource.maxPageSize - 1) / resource.maxPageSize) }
        return pages(size.contacts, .contacts) + pages(size.opportunities, .opportunities) + 1
            + pages(size.orders, .orders) + pages(size.transactions, .transactions) + pages(size.reviews, .reviews)
    }

    /// Full sync against the unthrottled sandbox.
    public func sync() async throws -> BenchReport {
        let sandbox = try SandboxProcess(size: size, rateLimit: nil)
        defer { sandbox.stop() }
        var report = BenchReport(scenario: "sync")
        if let postgres {
            try await fullSync(sandbox, into: &report)
            var onPostgres = BenchReport()
            try await fullSync(sandbox, into: &onPostgres, postgres: postgres)
            report.set("postgres", onPostgres)
            report.set("postgres_vs_sqlite", (onPostgres.double("records_per_second") ?? 0) / (report.double("records_per_second") ?? 1))
            return report
        }
        guard captureChanges else {
            try await fullSync(sandbox, into: &report)
            return report
        }
        var off = BenchReport(), logOnly = BenchReport()
        try await fullSync(sandbox, into: &off, changeLog: false)
        try await fullSync(sandbox, into: &logOnly, listener: false)
        try await fullSync(sandbox, into: &report)
        let offRate = off.double("records_per_second") ?? 1
        report.set("capture_off", off)
        report.set("capture_log_only", logOnly)
        report.set("capture_on_vs_off", (report.double("records_per_second") ?? 0) / offRate)
        report.set("log_only_vs_off", (logOnly.double("records_per_second") ?? 0) / offRate)
        return report
    }

    /// Full sync against a sandbox limited to 100 requests per 10 s.
    public func throttled() async throws -> BenchReport {
        let sandbox = try SandboxProcess(size: size, rateLimit: "100/10")
        defer { sandbox.stop() }
        var report = BenchReport(scenario: "sync-throttled")
        try await fullSync(sandbox, into: &report)
        let minWall = Double(minimumRequests) / 10
        report.set("min_wall_seconds", minWall)
        report.set("wall_vs_min", (report.double("wall_seconds") ?? 0) / minWall)
        report.set("requests_vs_min", (report.double("requests") ?? 0) / Double(minimumRequests))
        return report
    }

    /// Full sync, then `percent` % of the records changed in the sandbox, then an incremental sync.
    public func incremental(percent: Double) async throws -> BenchReport {
        let sandbox = try SandboxProcess(size: size, rateLimit: nil)
        defer { sandbox.stop() }
        var report = BenchReport(scenario: "incremental")
        let database = try TemporaryDatabase()
        let (engine, sourceId) = try await database.engine(for: sandbox)
        let (_, fullWall, _) = try await Self.timedRun(engine, sourceId, .full)
        let fullRequests = try await sandbox.counters().requests

        let changed = try await change(sandbox, percent: percent)
        try await sandbox.resetCounters()
        let (incremental, wall, _) = try await Self.timedRun(engine, sourceId, .incremental)
        let byEndpoint = try await sandbox.requestsByEndpoint()
        let requests = byEndpoint.values.reduce(0) { $0 + $1.requests }
        var perEndpoint = BenchReport()
        for (endpoint, count) in byEndpoint.sorted(by: { $0.key < $1.key }) { perEndpoint.set(endpoint, count.requests) }
        let differing = try await differingRecords(database.store, sourceId: sourceId, sandbox: sandbox)
        var differingReport = BenchReport()
        for (entity, count) in differing where count > 0 { differingReport.set(entity.rawValue, count) }

        report.set("conditions", Self.incrementalConditions(percent))
        report.set("wall_seconds", wall)
        report.set("full_wall_seconds", fullWall)
        report.set("records", size.records(pipelines: pipelines))
        report.set("changed_records", changed)
        report.set("changed_percent", percent)
        report.set("full_requests", fullRequests)
        report.set("incremental_requests", requests)
        report.set("requests_ratio", Double(requests) / Double(max(fullRequests, 1)))
        report.set("incremental_records_written", incremental.results.reduce(0) { $0 + $1.count })
        report.set("incremental_requests_by_endpoint", perEndpoint)
        report.set("store_equals_sandbox", differing.allSatisfy { $0.1 == 0 })
        report.set("differing_records", differingReport)
        report.set("webhooks_delivered", 0)
        return report
    }

    /// The seed's design on the same data: entities one after another, one
    /// upsert (one transaction) per record; then this engine, for the ratio.
    public func seedBaseline() async throws -> BenchReport {
        let sandbox = try SandboxProcess(size: size, rateLimit: nil)
        defer { sandbox.stop() }
        var report = BenchReport(scenario: "seed-baseline")
        let database = try TemporaryDatabase()
        let sourceId = try await database.addSource(for: sandbox)
        let client = GHLClient(baseURL: sandbox.baseURL, locationId: sandbox.locationId, auth: PrivateIntegrationToken(sandbox.token))
        let start = ContinuousClock.now
        var records = 0
        for entity in Entity.allCases {
            for try await page in client.pages(GHLResource(entity)) {
                for record in page.records {
                    try await database.store.upsert(entity, sourceId: sourceId, records: [RecordMapping.map(entity, record)])
                    records += 1
                }
            }
        }
        let wall = (ContinuousClock.now - start).seconds
        report.set("wall_seconds", wall)
        report.set("records", records)
        report.set("records_per_second", Double(records) / wall)

        var sync = BenchReport()
        try await fullSync(sandbox, into: &sync)
        let syncRate = sync.double("records_per_second") ?? 0
        report.set("sync_records_per_second", syncRate)
        report.set("ratio_vs_sync", syncRate / (Double(records) / wall))
        return report
    }

    /// One full sync into a new file; without `changeLog` the file has no
    /// change-log triggers; with `captureChanges` and `listener`, a handler
    /// listens to its commits.
    private func fullSync(_ sandbox: SandboxProcess, into report: inout BenchReport, changeLog: Bool = true,
                          listener: Bool = true) async throws {
        let database = try TemporaryDatabase()
        let (engine, sourceId) = try await database.engine(for: sandbox)
        if !changeLog { try await database.store.dropChangeLogTriggers() }
        let listening = captureChanges && changeLog && listener
        if listening { try await database.store.onCommit { _ in } }
        try await measureFullSync(engine, sourceId, sandbox, into: &report)
        report.set("change_capture", changeLog)
        if captureChanges { report.set("commit_listener", listening) }
    }

    /// Times one full sync of `sourceId` and reports it.
    func measureFullSync(_ engine: SyncEngine, _ sourceId: String, _ sandbox: SandboxProcess, into report: inout BenchReport) async throws {
        try await sandbox.resetCounters()
        let (result, wall, cpu) = try await Self.timedRun(engine, sourceId, .full)
        let counters = try await sandbox.counters()
        let records = result.results.reduce(0) { $0 + $1.count }
        report.set("wall_seconds", wall)
        report.setThroughput(records: records, wall: wall, cpu: cpu)
        report.set("requests", counters.requests)
        report.set("min_requests", minimumRequests)
        report.set("http_429", counters.rateLimited)
        report.set("peak_rss_bytes", ProcessStats.peakResidentBytes)
    }

    /// One run-all of `mode`, its wall time and this process's CPU time in seconds; a failed entity fails the bench.
    static func timedRun(_ engine: SyncEngine, _ sourceId: String, _ mode: SyncMode) async throws
        -> (result: RunAllResult, wall: Double, cpu: Double) {
        let stopwatch = Stopwatch()
        let result = try await engine.runAll(RunRequest(sourceId: sourceId, mode: mode))
        let (wall, cpu) = stopwatch.read()
        guard result.ok else { throw BenchError("\(mode.rawValue) sync failed: \(result.results.compactMap(\.error))") }
        return (result, wall, cpu)
    }

    static func incrementalConditions(_ percent: Double) -> String {
        """
        \(percent) % of each entity's records patched through the sandbox admin API (contacts firstName, opportunities \
        monetaryValue, orders fulfillmentStatus, transactions amountRefunded, reviews headline), no webhooks delivered \
        (GHL sends none for these changes), then one incremental run within a day of the full one: contacts and \
        opportunities by update time; orders, transactions and reviews only records created since (GHL filters them by \
        creation time only), so their updated older records differ until the next full listing; every entity also \
        checks GHL's total against the store's live rows
        """
    }

    /// Per entity, how many records differ between the store's live rows and
    /// the sandbox (missing, extra, or not field for field equal).
    func differingRecords(_ store: any SyncStore, sourceId: String, sandbox: SandboxProcess) async throws -> [(Entity, Int)] {
        var result: [(Entity, Int)] = []
        for entity in Entity.allCases {
            let expected = try await sandbox.canonicalRecords(entity == .payments ? "transactions" : entity.rawValue)
            let stored = try await store.liveRaw(entity, sourceId: sourceId)
            let wrong = expected.filter { stored[$0.key] != $0.value }.count
            let extra = stored.keys.filter { expected[$0] == nil }.count
            result.append((entity, wrong + extra))
        }
        return result
    }

    /// Changes `percent` % of each entity's records through the sandbox's admin API.
    private func change(_ sandbox: SandboxProcess, percent: Double) async throws -> Int {
        let patches: [(String, JSONValue)] = [
            ("contacts", ["firstName": "Changed"]), ("opportunities", ["monetaryValue": 4242]),
            ("orders", ["fulfillmentStatus": "fulfilled"]), ("transactions", ["amountRefunded": 1]),
            ("reviews", ["headline": "Changed"]),
        ]
        var changed = 0
        for (entity, patch) in patches {
            let ids = try await sandbox.ids(entity)
            let count = Int((Double(ids.count) * percent / 100).rounded(.up))
            for id in ids.prefix(count) {
                try await sandbox.patch(entity, id: id, patch)
                changed += 1
            }
        }
        return changed
    }
}

/// A database in a temp dir, removed afterwards.
final class TemporaryDatabase {
    let directory: URL
    let store: Store

    /// - Parameter prepare: writes the file before the store opens it.
    init(path prepare: (String) throws -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("bench.sqlite").path
        try prepare(path)
        store = try Store(path: path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func addSource(for sandbox: SandboxProcess) async throws -> String {
        try await store.addSource(name: "Bench", locationId: sandbox.locationId, apiBase: sandbox.baseURL,
                            tokenEnv: "GHLSYNC_BENCH_TOKEN", tokenFile: nil).id
    }

    func engine(for sandbox: SandboxProcess) async throws -> (SyncEngine, String) {
        let sourceId = try await addSource(for: sandbox)
        return (SyncEngine(store: store, environment: ["GHLSYNC_BENCH_TOKEN": sandbox.token]), sourceId)
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
