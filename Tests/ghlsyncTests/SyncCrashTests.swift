import Foundation
import GHLAPI
import GHLSandbox
import GHLStore
import GRDB
import Testing

/// Kills `ghlsync sync` (SIGKILL) at random points, checks the file after each
/// kill, and lets the last run finish: it must end equal to the sandbox.
@Suite struct SyncCrashTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String {
        ProcessInfo.processInfo.environment["GHLSYNC_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/ghlsync").path
    }

    @discardableResult
    static func ghlsync(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

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

        try Self.ghlsync(["init", "--db", db])
        let added = try Self.ghlsync(["sources", "add", "--db", db, "--name", "Crash", "--location-id", location.locationID,
                                      "--api-base", endpoint.baseURL, "--token-env", "GHL_CRASH_TOKEN"])
        let sourceId = try #require(added.output.split(separator: "\n").last.map(String.init))

        for _ in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
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

        let final = try Self.ghlsync(["sync", "--db", db, "--source", sourceId, "--mode", "full"], environment: environment)
        #expect(final.status == 0, "\(final.output)")
        #expect(final.output.contains("Sync completed: 6 succeeded, 0 failed"))
        let store = try Store(path: db)
        for (entity, kind) in [(Entity.contacts, SandboxEntity.contacts), (.opportunities, .opportunities), (.pipelines, .pipelines),
                               (.orders, .orders), (.payments, .transactions), (.reviews, .reviews)] {
            let expected = Dictionary(uniqueKeysWithValues: try sandbox.records(kind, location: location.locationID).map {
                ($0[kind.idKey]!.stringValue!, try GHLAPI.JSONValue(parsing: $0.encodedString).canonicalJSON)
            })
            let stored = try await store.pool.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT \(entity.idColumn) AS id, raw FROM \(entity.table) WHERE deleted_at IS NULL")
                    .map { ($0["id"] as String, $0["raw"] as String) })
            }
            #expect(stored == expected, "\(entity.rawValue) differs from the sandbox")
        }
        let stuck = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'running'") }
        #expect(stuck == 0)
        await sandbox.stop()
    }
}
