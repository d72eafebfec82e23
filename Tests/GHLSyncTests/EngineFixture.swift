import Foundation
import GHLAPI
import GHLPostgres
import GHLPostgresTestSupport
import GHLSandbox
import GHLStore
import GHLSync
import Testing

/// An in-process GHL sandbox, a fresh database of `engine` (a SQLite file,
/// or a new database on the test process's PostgreSQL cluster) with one
/// source for the sandbox's first location, and a sync engine writing to it
/// through `any SyncStore`.
final class EngineFixture: Sendable {
    let sandbox: GHLSandbox
    let database: EngineDatabase
    let source: Source
    let engine: SyncEngine

    var location: String { source.locationId }
    var store: any SyncStore { database.store }

    static func start(_ engine: Engine, _ counts: RecordCounts, faults: [FaultRule] = []) async throws -> EngineFixture {
        let (sandbox, endpoint) = try await SandboxFixture.startSandbox(counts, faults: faults)
        let location = endpoint.locations[0]
        let database = try await EngineDatabase(engine)
        let source = try await database.addSource(locationId: location.locationID, apiBase: endpoint.baseURL)
        let syncEngine = SyncEngine(store: database.store, environment: ["GHL_TEST_TOKEN": location.token], retry: .quick)
        return EngineFixture(sandbox: sandbox, database: database, source: source, engine: syncEngine)
    }

    private init(sandbox: GHLSandbox, database: EngineDatabase, source: Source, engine: SyncEngine) {
        self.sandbox = sandbox
        self.database = database
        self.source = source
        self.engine = engine
    }

    func stop() async {
        await sandbox.stop()
        await database.cleanup()
    }

    func run(_ mode: SyncMode, entities: [Entity] = Entity.allCases) async throws -> RunAllResult {
        try await engine.runAll(RunRequest(sourceId: source.id, entities: entities, mode: mode))
    }

    /// A count by SQL both engines read alike (literals only, no parameters).
    func int(_ sql: String) throws -> Int {
        try database.int(sql)
    }

    /// How many rows of every entity table were written (inserted, changed, marked) after `date`.
    func rowsWritten(after date: Date) throws -> [Entity: Int] {
        var written: [Entity: Int] = [:]
        for entity in Entity.allCases {
            written[entity] = try int("SELECT COUNT(*) FROM \(entity.table) WHERE updated_at > '\(Timestamp.string(date))'")
        }
        return written
    }

    /// Every live row equals GHL's record, id for id and field for field.
    func expectEqualToSandbox(_ entities: [Entity] = Entity.allCases, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for entity in entities {
            SandboxFixture.expect(entity, stored: try await store.liveRaw(entity, sourceId: source.id),
                                  equal: try SandboxFixture.sandboxRecords(entity, in: sandbox, location: location), sourceLocation: sourceLocation)
        }
    }
}
