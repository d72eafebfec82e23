import Foundation
import GHLAPI
import GHLSandbox
@testable import GHLStore
import GHLSync
import GRDB
import Testing
import GHLJSON

/// An in-process GHL sandbox on 127.0.0.1, a fresh store with one source for
/// its first location, and a sync engine with quick retries.
final class SandboxFixture: Sendable {
    let sandbox: GHLSandbox
    let test: TestStore
    let source: Source
    let engine: SyncEngine

    var location: String { source.locationId }

    static func start(_ counts: RecordCounts, faults: [FaultRule] = [], retry: RetryPolicy = .quick) async throws -> SandboxFixture {
        let (sandbox, endpoint) = try await startSandbox(counts, faults: faults)
        let test = try TestStore()
        let location = endpoint.locations[0]
        let source = try await test.addSource(locationId: location.locationID, apiBase: endpoint.baseURL, tokenEnv: "GHL_TEST_TOKEN")
        let engine = SyncEngine(store: test.store, environment: ["GHL_TEST_TOKEN": location.token], retry: retry)
        return SandboxFixture(sandbox: sandbox, test: test, source: source, engine: engine)
    }

    private init(sandbox: GHLSandbox, test: TestStore, source: Source, engine: SyncEngine) {
        self.sandbox = sandbox
        self.test = test
        self.source = source
        self.engine = engine
    }

    func stop() async {
        await sandbox.stop()
        test.cleanup()
    }

    func run(_ mode: SyncMode, entities: [Entity] = Entity.allCases) async throws -> RunAllResult {
        try await engine.runAll(RunRequest(sourceId: source.id, entities: entities, mode: mode))
    }

    var requests: Int { sandbox.requestCount(location: location).requests }

    static func sandboxEntity(_ entity: Entity) -> SandboxEntity {
        entity == .payments ? .transactions : SandboxEntity(rawValue: entity.rawValue)!
    }

    /// An unthrottled in-process sandbox, started.
    static func startSandbox(_ counts: RecordCounts, faults: [FaultRule]) async throws -> (GHLSandbox, SandboxEndpoint) {
        var configuration = SandboxConfiguration()
        configuration.counts = counts
        configuration.faults = faults
        configuration.rateLimit = RateLimitSettings(maxRequests: 100_000, windowMilliseconds: 10_000, dailyLimit: 10_000_000)
        let sandbox = try GHLSandbox(configuration: configuration)
        return (sandbox, try await sandbox.start())
    }

    /// GHL's records of an entity, id -> canonical JSON (what `raw` must hold).
    func sandboxRecords(_ entity: Entity) throws -> [String: String] {
        try Self.sandboxRecords(entity, in: sandbox, location: location)
    }

    static func sandboxRecords(_ entity: Entity, in sandbox: GHLSandbox, location: String) throws -> [String: String] {
        let kind = sandboxEntity(entity)
        var records: [String: String] = [:]
        for record in try sandbox.records(kind, location: location) {
            let id = record[kind.idKey]!.stringValue!
            records[id] = try JSONValue(parsing: record.encodedString).canonicalJSON
        }
        return records
    }

    /// The store's live rows of an entity, id -> raw.
    func storedRecords(_ entity: Entity) throws -> [String: String] {
        try test.store.pool.base.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT \(entity.idColumn) AS id, raw FROM \(entity.table) WHERE source_id = ? AND deleted_at IS NULL",
                                        arguments: [source.id])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as String, $0["raw"] as String) })
        }
    }

    /// Every table equals the sandbox, id for id and field for field.
    func expectEqualToSandbox(_ entities: [Entity] = Entity.allCases, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for entity in entities {
            Self.expect(entity, stored: try storedRecords(entity), equal: try sandboxRecords(entity), sourceLocation: sourceLocation)
        }
    }

    /// The live rows `stored` (id -> raw) are GHL's records `expected`, id for id and field for field.
    static func expect(_ entity: Entity, stored: [String: String], equal expected: [String: String], sourceLocation: SourceLocation) {
        #expect(stored.count == expected.count, "\(entity.rawValue): \(stored.count) live rows, GHL has \(expected.count)", sourceLocation: sourceLocation)
        let differing = expected.filter { stored[$0.key] != $0.value }.map(\.key).sorted()
        let example = differing.first.map { "\($0): GHL \(expected[$0]!) store \(stored[$0] ?? "none")" } ?? ""
        #expect(differing.count == 0, "\(entity.rawValue): \(differing.count) records differ, e.g. \(example)", sourceLocation: sourceLocation)
    }
}

extension RetryPolicy {
    static let quick = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), requestTimeout: .seconds(10))
}
