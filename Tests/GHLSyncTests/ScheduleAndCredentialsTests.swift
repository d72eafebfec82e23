import Foundation
import GHLStore
@testable import GHLSync
import Testing

@Suite struct ScheduleAndCredentialsTests {
    @Test func intervalsParse() throws {
        #expect(try SyncSchedule.parseInterval("15m") == 900)
        #expect(try SyncSchedule.parseInterval("1h") == 3600)
        #expect(try SyncSchedule.parseInterval("off") == nil)
        #expect(throws: SyncError.self) { try SyncSchedule.parseInterval("10s") }
        #expect(throws: SyncError.self) { try SyncSchedule.parseInterval("soon") }
        #expect(SyncSchedule.describe(900) == "15m")
    }

    @Test func scheduleIsStoredAndDue() async throws {
        let test = try TestStore()
        defer { test.cleanup() }
        let source = try await test.addSource(locationId: "loc1")
        let updated = try await test.store.setSchedule(sourceId: source.id, interval: 900, mode: .full)
        #expect(updated.syncIntervalSeconds == 900 && updated.syncMode == "full")
        let scheduler = SyncScheduler(engine: SyncEngine(store: test.store))
        #expect(try await scheduler.dueSources().map(\.id) == [source.id])
        _ = try await test.store.setSchedule(sourceId: source.id, interval: nil, mode: nil)
        #expect(try await scheduler.dueSources().isEmpty)
    }

    @Test func tokenFilesMustBePrivate() async throws {
        let test = try TestStore()
        defer { test.cleanup() }
        let path = test.directory.appendingPathComponent("token").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("pit-123\n".utf8), attributes: [.posixPermissions: 0o644])
        let source = try await test.store.addSource(name: "F", locationId: "loc1", tokenEnv: nil, tokenFile: path)
        #expect { try SourceCredentials.load(source) } throws: { "\($0)".contains("chmod 600") }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        guard case .privateToken(let token) = try SourceCredentials.load(source) else { Issue.record("not a PIT"); return }
        #expect(token == "pit-123")
        let env = try await test.addSource(locationId: "loc2", tokenEnv: "NOPE_NOT_SET")
        #expect(throws: SyncError.self) { try SourceCredentials.load(env, environment: [:]) }
    }
}
