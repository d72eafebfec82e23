import Foundation
import GHLSandbox
@testable import GHLStore
import GRDB
import Testing

/// Kills `ghlsync sync` (SIGKILL) once a given number of pages of its run are
/// committed (read from the file's `ghl_sync_jobs`), checks that each kill landed
/// mid-run and left a sound file, and lets the last run finish: it must end equal
/// to the sandbox.
@Suite struct SyncCrashTests {
    @Test func killedSyncsLeaveAConsistentFileAndResume() async throws {
        var configuration = SandboxConfiguration()
        configuration.counts = RecordCounts(contacts: 8_000, opportunities: 1_500, orders: 500, transactions: 500, reviews: 250)
        configuration.rateLimit = RateLimitSettings(maxRequests: 100_000, windowMilliseconds: 10_000, dailyLimit: 10_000_000)
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("crash.sqlite").path
        let location = endpoint.locations[0]
        let environment = ["GHL_CRASH_TOKEN": location.token]

        #expect(try CLIRunner.run(["init", "--db", db]).status == 0)
        let added = try CLIRunner.run(["sources", "add", "--db", db, "--name", "Crash", "--location-id", location.locationID,
                                      "--api-base", endpoint.baseURL, "--token-env", "GHL_CRASH_TOKEN"])
        let sourceId = try #require(added.stdout.split(separator: "\n").last.map(String.init))

        let store = try Store(path: db)
        for pagesBeforeKill in [1, 2, 3, 2, 1] {
            let before = try await jobs(store)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = ["sync", "--db", db, "--source", sourceId, "--mode", "full"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var committed = 0
            while process.isRunning, committed < pagesBeforeKill {
                committed = committedPages(in: try await jobs(store), since: before)
                if committed < pagesBeforeKill { try await Task.sleep(for: .milliseconds(2)) }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "the run ended before \(pagesBeforeKill) pages were committed")
            let after = try await jobs(store)
            let run = after.filter { $0.id > (before.map(\.id).max() ?? 0) }
            #expect(committedPages(in: after, since: before) >= pagesBeforeKill, "\(run)")
            #expect(run.contains { $0.status == "running" }, "the kill landed after the run finished: \(run)")
            let check = try await store.pool.base.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            #expect(check == ["ok"])
            try await expectWholePages(store)
        }

        let final = try CLIRunner.run(["sync", "--db", db, "--source", sourceId, "--mode", "full"], environment: environment)
        #expect(final.status == 0, "\(final.stdout)\(final.stderr)")
        #expect(final.stdout.contains("Sync completed: 6 succeeded, 0 failed"))
        try await expectTablesEqual(store, sourceId: sourceId, to: sandbox, location: location.locationID)
        let stuck = try await store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'running'") }
        #expect(stuck == 0)
        await sandbox.stop()
    }

    /// Each page committed its rows together with its job's progress (the
    /// pages ready of one listing share a transaction): an entity's rows are exactly
    /// the records its furthest run counted, none of a page half written.
    /// A first listing of these entities stores one new row per record.
    private func expectWholePages(_ store: Store) async throws {
        for entity in [Entity.contacts, .opportunities, .orders] {
            let (rows, counted) = try await store.pool.base.read { db in
                try (Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(entity.table)") ?? -1,
                     Int.fetchOne(db, sql: "SELECT coalesce(max(records_processed), 0) FROM ghl_sync_jobs WHERE job_type = ?",
                                  arguments: [entity.rawValue]) ?? -1)
            }
            #expect(rows == counted, "\(entity.rawValue): \(rows) rows, the jobs counted \(counted) records")
        }
    }

    struct Job: Sendable, CustomStringConvertible {
        var id: Int64
        var type: String
        var status: String
        var pages: Int
        var description: String { "\(type) #\(id) \(status) after \(pages) pages" }
    }

    private func jobs(_ store: Store) async throws -> [Job] {
        try await store.pool.base.read { db in
            try Row.fetchAll(db, sql: "SELECT id, job_type, status, pages FROM ghl_sync_jobs ORDER BY id").map {
                Job(id: $0["id"], type: $0["job_type"], status: $0["status"], pages: $0["pages"])
            }
        }
    }

    /// Pages the run after `before` committed. A job resuming a killed one (whose row still
    /// says running) counts on from that job's pages; a job starting afresh counts from 0.
    private func committedPages(in jobs: [Job], since before: [Job]) -> Int {
        let lastBefore = before.map(\.id).max() ?? 0
        var previous: [String: Job] = [:]
        for job in before { previous[job.type] = job }
        return jobs.filter { $0.id > lastBefore }.reduce(0) { sum, job in
            let carried = previous[job.type].map { $0.status == "running" ? $0.pages : 0 } ?? 0
            return sum + max(0, job.pages - carried)
        }
    }
}
