import Foundation
import GHLSandbox
import GHLStore
import GHLSync

/// The `agency` scenario: one sandbox child process serving many locations,
/// each added as a source, and one sync of them all (`ghlsync sync --all`).
///
/// Throttled, each location has GHL's own limit (100 requests per 10 s), so
/// the floor is the slowest location's requests at 10 per second; unthrottled,
/// the figure is what the one writer can take from every location at once,
/// and `vs_ceiling` its share of what SQLite itself writes of the same
/// contacts on this machine (`contactCeiling`).
public struct AgencyBench: Sendable {
    public var locations: Int
    /// The records of each location.
    public var size: RecordCounts
    public var throttled: Bool

    /// GHL's burst limit per location: 100 requests per 10 seconds.
    static let requestsPerSecond = 10.0

    public init(locations: Int, size: RecordCounts, throttled: Bool) {
        self.locations = locations
        self.size = size
        self.throttled = throttled
    }

    public func run() async throws -> BenchReport {
        let sandbox = try SandboxProcess(size: size, rateLimit: throttled ? "100/10" : nil, locations: locations)
        defer { sandbox.stop() }
        let database = try TemporaryDatabase()
        for (index, locationId) in sandbox.locationIds.enumerated() {
            _ = try await database.store.addSource(name: "Location \(index + 1)", locationId: locationId, apiBase: sandbox.baseURL,
                                             tokenEnv: "GHLSYNC_BENCH_TOKEN", tokenFile: nil)
        }
        let engine = SyncEngine(store: database.store, environment: ["GHLSYNC_BENCH_TOKEN": sandbox.token])
        try await sandbox.resetCounters()

        let stopwatch = Stopwatch()
        let outcomes = try await engine.runEverySource(mode: .full)
        let (wall, cpu) = stopwatch.read()
        let failed = outcomes.filter { !$0.ok }
        guard failed.isEmpty else {
            throw BenchError("\(failed.count) of \(outcomes.count) sources failed: \(failed.map { $0.error ?? "\($0.result?.results.compactMap(\.error) ?? [])" })")
        }

        let byLocation = try await sandbox.requestsByLocation()
        let served = byLocation.values.map { $0.requests - $0.rateLimited }
        let floor = Double(served.max() ?? 0) / Self.requestsPerSecond
        let records = outcomes.reduce(0) { $0 + ($1.result?.results.reduce(0) { $0 + $1.count } ?? 0) }
        var report = BenchReport(scenario: throttled ? "agency" : "agency-unthrottled")
        report.set("locations", locations)
        report.set("wall_seconds", wall)
        if throttled {
            report.set("floor_seconds", floor)
            report.set("wall_vs_floor", wall / max(floor, .leastNonzeroMagnitude))
        }
        report.set("requests", byLocation.values.reduce(0) { $0 + $1.requests })
        report.set("min_requests", SyncBench(size: size).minimumRequests * locations)
        report.set("http_429", byLocation.values.reduce(0) { $0 + $1.rateLimited })
        report.setThroughput(records: records, wall: wall, cpu: cpu)
        if !throttled {
            let ceiling = try await Self.contactCeiling(copying: database.store.path)
            report.set("ceiling_rows_per_second", ceiling)
            report.set("vs_ceiling", Double(records) / wall / ceiling)
        }
        report.set("peak_rss_bytes", ProcessStats.peakResidentBytes)
        return report
    }

    /// The issue's ceiling to approach: the synced contacts copied with one
    /// `INSERT ... SELECT` into a new file of the same schema and indexes
    /// (without the change log's triggers), in rows a second on this machine.
    static func contactCeiling(copying path: String) async throws -> Double {
        let scratch = try TemporaryDatabase()
        try await scratch.store.dropChangeLogTriggers()
        let stopwatch = Stopwatch()
        let copied = try await scratch.store.copyAllRows(of: .contacts, from: path)
        return Double(copied) / max(stopwatch.read().wall, .leastNonzeroMagnitude)
    }
}
