import Foundation
import GHLPostgres
import GHLStore
import GHLSync

/// `bench sync --db postgres://...`: the same full sync into PostgreSQL, so
/// its figure stands beside the SQLite file's of the same run.
extension SyncBench {
    /// Migrates the database (a no-op when `init` did), adds a new source and
    /// syncs it in full; checks that the rows equal the sandbox's.
    func fullSync(_ sandbox: SandboxProcess, into report: inout BenchReport, postgres url: PostgresURL) async throws {
        let store = try PostgresStore(url: url)
        do {
            try await store.checkConnection()
            try await store.migrate()
            let source = try Source.new(name: "Bench", locationId: sandbox.locationId, apiBase: sandbox.baseURL,
                                        tokenEnv: "GHLSYNC_BENCH_TOKEN", tokenFile: nil)
            try await store.addSource(source)
            let engine = SyncEngine(store: store, environment: ["GHLSYNC_BENCH_TOKEN": sandbox.token])
            try await measureFullSync(engine, source.id, sandbox, into: &report)
            let differing = try await differingRecords(store, sourceId: source.id, sandbox: sandbox)
            report.set("store_equals_sandbox", differing.allSatisfy { $0.1 == 0 })
        } catch {
            await store.close()
            throw BenchError("\(url): \(PostgresStore.message(for: error))")
        }
        await store.close()
    }
}
