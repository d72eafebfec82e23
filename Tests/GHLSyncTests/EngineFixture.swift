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
    let database: Database
    let source: Source
    let engine: SyncEngine

    enum Database: Sendable {
        case sqlite(TestStore)
        case postgres(PostgresStore, cluster: PostgresCluster, name: String)

        var store: any SyncStore {
            switch self {
            case .sqlite(let test): test.store
            case .postgres(let store, _, _): store
            }
        }
    }

    var location: String { source.locationId }
    var store: any SyncStore { database.store }

    static func start(_ engine: Engine, _ counts: RecordCounts, faults: [FaultRule] = []) async throws -> EngineFixture {
        let (sandbox, endpoint) = try await SandboxFixture.startSandbox(counts, faults: faults)
        let location = endpoint.locations[0]
        let database: Database
        let source: Source
        switch engine {
        case .sqlite:
            let test = try TestStore()
            source = try await test.addSource(locationId: location.locationID, apiBase: endpoint.baseURL, tokenEnv: "GHL_TEST_TOKEN")
            database = .sqlite(test)
        case .postgres:
            let cluster = try PostgresCluster.shared()
            let url = try cluster.createDatabase("sync")
            let store = try PostgresStore(url: PostgresURL(url))
            try await store.migrate()
            source = try Source.new(name: "Test \(location.locationID)", locationId: location.locationID, apiBase: endpoint.baseURL,
                                    tokenEnv: "GHL_TEST_TOKEN", tokenFile: nil)
            try await store.addSource(source)
            database = .postgres(store, cluster: cluster, name: String(url.split(separator: "/").last!))
        }
        let syncEngine = SyncEngine(store: database.store, environment: ["GHL_TEST_TOKEN": location.token], retry: .quick)
        return EngineFixture(sandbox: sandbox, database: database, source: source, engine: syncEngine)
    }

    private init(sandbox: GHLSandbox, database: Database, source: Source, engine: SyncEngine) {
        self.sandbox = sandbox
        self.database = database
        self.source = source
        self.engine = engine
    }

    func stop() async {
        await sandbox.stop()
        switch database {
        case .sqlite(let test): test.cleanup()
        case .postgres(let store, _, _): await store.close()
        }
    }

    func run(_ mode: SyncMode, entities: [Entity] = Entity.allCases) async throws -> RunAllResult {
        try await engine.runAll(RunRequest(sourceId: source.id, entities: entities, mode: mode))
    }

    /// A count by SQL both engines read alike (literals only, no parameters).
    func int(_ sql: String) throws -> Int {
        switch database {
        case .sqlite(let test): return try test.int(sql)
        case .postgres(_, let cluster, let name):
            let text = try cluster.psql(database: name, script: sql).trimmingCharacters(in: .whitespacesAndNewlines)
            return try #require(Int(text), "\(sql) printed \(text)")
        }
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
