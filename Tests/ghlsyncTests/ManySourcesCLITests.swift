import Foundation
import GHLSandbox
@testable import GHLStore
import GRDB
import Testing

/// Several locations in one file: several `ghlsync sync` processes at once,
/// and `sync --all` in one process.
@Suite struct ManySourcesCLITests {
    /// The WAL bound the five processes must keep: the checkpointer truncates
    /// the WAL past 16 MiB (`Checkpointer.truncateThreshold`); with what is
    /// written until the truncation has its turn it peaked at 28-38 MiB here,
    /// against 125-145 MiB when checkpoints were only passive.
    static let walBound = 64 << 20

    /// An unthrottled sandbox of `locations` locations, a file with one source per location
    /// (token in `GHL_TOKEN_<n>`), and the environment holding the tokens.
    struct Fixture {
        let sandbox: GHLSandbox
        let endpoint: SandboxEndpoint
        let directory: TemporaryDirectory
        let db: String
        var sourceIds: [String] = []
        var environment: [String: String] = [:]

        init(locations: Int, counts: RecordCounts) async throws {
            var configuration = SandboxConfiguration()
            configuration.locations = locations
            configuration.counts = counts
            configuration.rateLimit = RateLimitSettings(maxRequests: 1_000_000, windowMilliseconds: 10_000, dailyLimit: 100_000_000)
            sandbox = try GHLSandbox(configuration: configuration)
            endpoint = try await sandbox.start()
            directory = try TemporaryDirectory()
            db = directory.path("agency.sqlite")
            #expect(try CLIRunner.run(["init", "--db", db]).status == 0)
            for (index, location) in endpoint.locations.enumerated() {
                let variable = "GHL_TOKEN_\(index)"
                environment[variable] = location.token
                let added = try CLIRunner.run(["sources", "add", "--db", db, "--name", "Location \(index)", "--location-id", location.locationID,
                                              "--api-base", endpoint.baseURL, "--token-env", variable])
                #expect(added.status == 0, "\(added.stderr)")
                sourceIds.append(try #require(added.stdout.split(separator: "\n").last.map(String.init)))
            }
        }
    }

    /// Two hundred runs at once in one process: the engine's store calls wait off
    /// the cooperative threads, so the runs never deadlock over the file's readers
    /// (before, `sync --all` over 201 sources hung in two runs out of six here).
    @Test func syncAllOfTwoHundredSourcesFinishes() async throws {
        var configuration = SandboxConfiguration()
        configuration.locations = 200
        configuration.counts = RecordCounts(contacts: 3, opportunities: 2, orders: 1, transactions: 1, reviews: 1)
        configuration.fixedToken = "pit-two-hundred"
        configuration.rateLimit = RateLimitSettings(maxRequests: 1_000_000, windowMilliseconds: 10_000, dailyLimit: 100_000_000)
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        let directory = try TemporaryDirectory()
        for attempt in 1...3 {
            let db = directory.path("agency-\(attempt).sqlite")
            let store = try Store(path: db)
            for (index, location) in endpoint.locations.enumerated() {
                _ = try await store.addSource(name: "Location \(index)", locationId: location.locationID, apiBase: endpoint.baseURL,
                                        tokenEnv: "GHL_TOKEN", tokenFile: nil)
            }
            let run = try CLIRunner.run(["sync", "--db", db, "--all", "--mode", "full"], environment: ["GHL_TOKEN": "pit-two-hundred"],
                                        timeout: 120)
            #expect(run.status == 0 && run.lastLine == "Sync completed: 200 sources succeeded, 0 failed",
                    "attempt \(attempt): \(run.stdout.suffix(400)) \(run.stderr.suffix(400))")
            let contacts = try await store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts WHERE deleted_at IS NULL") }
            #expect(contacts == 200 * 3)
        }
        await sandbox.stop()
    }

    @Test func fiveSyncProcessesOnOneFileAllCompleteAndTheWALStaysBounded() async throws {
        let fixture = try await Fixture(locations: 5, counts: RecordCounts(contacts: 10_000, opportunities: 2_000, orders: 500, transactions: 500, reviews: 300))
        let wal = fixture.db + "-wal"
        let runs = ConcurrentRuns(fixture.sourceIds.map { ["sync", "--db", fixture.db, "--source", $0, "--mode", "full"] },
                                  environment: fixture.environment)
        var peak = 0
        while !runs.finished {
            peak = max(peak, (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0)
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(runs.results.count == 5)
        for run in runs.results {
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.lastLine == "Sync completed: 6 succeeded, 0 failed", "\(run.stdout)")
            #expect(!run.stdout.contains("locked"))
        }
        #expect(peak > 0, "the WAL was never seen")
        #expect(peak <= Self.walBound, "the WAL reached \(peak) bytes")
        let store = try Store(path: fixture.db)
        for (sourceId, location) in zip(fixture.sourceIds, fixture.endpoint.locations) {
            try await expectTablesEqual(store, sourceId: sourceId, to: fixture.sandbox, location: location.locationID)
        }
        let failed = try await store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_sync_jobs WHERE status <> 'completed'") }
        #expect(failed == 0)
        print("five processes: WAL peak \(peak) bytes")
        await fixture.sandbox.stop()
    }

    @Test func syncAllSyncsEveryLocationAndARevokedTokenFailsAlone() async throws {
        let fixture = try await Fixture(locations: 3, counts: RecordCounts(contacts: 700, opportunities: 300, orders: 120, transactions: 150, reviews: 90))
        var revoked = fixture.environment
        revoked["GHL_TOKEN_1"] = "pit-revoked-\(UUID().uuidString)"
        let first = try CLIRunner.run(["sync", "--db", fixture.db, "--all", "--mode", "full"], environment: revoked)
        #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        for (index, location) in fixture.endpoint.locations.enumerated() {
            let label = "Location \(index) (\(location.locationID))"
            #expect(lines.filter { $0.hasPrefix(label + ": started") }.count == 1, "\(first.stdout)")
            let summary = "\(label): 6 succeeded, 0 failed"
            #expect(lines.contains(summary) == (index != 1), "\(first.stdout)")
        }
        let revokedLine = "Location 1 (\(fixture.endpoint.locations[1].locationID)): failed after 0 records: 6 of 6 entities failed"
        #expect(lines.contains { $0.hasPrefix(revokedLine) }, "\(first.stdout)")
        #expect(first.lastLine == "Sync completed: 2 sources succeeded, 1 failed")
        let store = try Store(path: fixture.db)
        for index in [0, 2] {
            try await expectTablesEqual(store, sourceId: fixture.sourceIds[index], to: fixture.sandbox, location: fixture.endpoint.locations[index].locationID)
        }
        let revokedSource = fixture.sourceIds[1]
        let revokedRows = try await store.pool.base.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts WHERE source_id = ?", arguments: [revokedSource])
        }
        #expect(revokedRows == 0)

        let second = try CLIRunner.run(["sync", "--db", fixture.db, "--all", "--mode", "incremental"], environment: fixture.environment)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.lastLine == "Sync completed: 3 sources succeeded, 0 failed")
        for (sourceId, location) in zip(fixture.sourceIds, fixture.endpoint.locations) {
            try await expectTablesEqual(store, sourceId: sourceId, to: fixture.sandbox, location: location.locationID)
        }
        await fixture.sandbox.stop()
    }

    @Test func syncNeedsEitherASourceOrAll() throws {
        let directory = try TemporaryDirectory()
        let db = directory.path("empty.sqlite")
        #expect(try CLIRunner.run(["init", "--db", db]).status == 0)
        #expect(try CLIRunner.run(["sync", "--db", db]).status != 0)
        #expect(try CLIRunner.run(["sync", "--db", db, "--all", "--source", "x"]).status != 0)
        let none = try CLIRunner.run(["sync", "--db", db, "--all"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no active sources"), "\(none.stderr)")
    }
}

/// CLI runs started at once, each on a thread of its own: a blocking run on
/// the cooperative pool (one thread per core) would hold back the others.
final class ConcurrentRuns: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [CLIRunner.Result] = []
    private let count: Int

    init(_ runs: [[String]], environment: [String: String]) {
        count = runs.count
        for arguments in runs {
            Thread { [self] in
                let result = (try? CLIRunner.run(arguments, environment: environment, timeout: 900))
                    ?? CLIRunner.Result(status: -1, stdout: "", stderr: "could not start \(arguments)")
                lock.withLock { done.append(result) }
            }.start()
        }
    }

    var finished: Bool { lock.withLock { done.count == count } }
    var results: [CLIRunner.Result] { lock.withLock { done } }
}
