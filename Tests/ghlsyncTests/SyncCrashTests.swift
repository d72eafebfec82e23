import Foundation
import GHLSandbox
import GHLStore
import GRDB
import Testing

/// Kills `ghlsync sync` (SIGKILL) at random points, checks the file after each
/// kill, and lets the last run finish: it must end equal to the sandbox.
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

        for _ in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = ["sync", "--db", db, "--source", sourceId, "--mode", "full"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...1500)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let store = try Store(path: db)
            let check = try await store.pool.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            #expect(check == ["ok"])
        }

        let final = try CLIRunner.run(["sync", "--db", db, "--source", sourceId, "--mode", "full"], environment: environment)
        #expect(final.status == 0, "\(final.stdout)\(final.stderr)")
        #expect(final.stdout.contains("Sync completed: 6 succeeded, 0 failed"))
        let store = try Store(path: db)
        try await expectTablesEqual(store, sourceId: sourceId, to: sandbox, location: location.locationID)
        let stuck = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'running'") }
        #expect(stuck == 0)
        await sandbox.stop()
    }
}
