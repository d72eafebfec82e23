import GHLPostgres
import GHLStore

/// `bench views --db postgres://...`: the views dataset copied into PostgreSQL
/// (as `migrate-to-postgres` copies a file), then each dashboard read timed
/// for a viewer of one source with the database's RLS on, in process: a read
/// is one transaction (claims, role, query) on a pooled connection.
struct PostgresViewsBench: Sendable {
    let url: PostgresURL
    let samples: Int

    /// Times every read of `source` against a database holding `file`'s rows
    /// (copied first when the database is empty: a later run reuses them), as
    /// the viewer the file's run made.
    func measure(copying file: Store, source: String) async throws -> BenchReport {
        let store = try PostgresStore(url: url)
        do {
            let report = try await measure(store, copying: file, source: source)
            await store.close()
            return report
        } catch {
            await store.close()
            throw BenchError("\(url): \(String(reflecting: error))")
        }
    }

    private func measure(_ store: PostgresStore, copying file: Store, source: String) async throws -> BenchReport {
        try await store.checkConnection()
        try await store.migrate()
        var report = BenchReport()
        let viewer = "bench-viewer@example.com"
        if try await store.userID(email: viewer) == nil {
            let began = ContinuousClock.now
            let copied = try await store.copy(from: file)
            report.set("copy_seconds", (ContinuousClock.now - began).seconds)
            report.set("copied_rows", copied.reduce(0) { $0 + $1.rows })
        }
        // The file's viewer (granted `source` by the file's run), copied with its grant.
        guard let userId = try await store.userID(email: viewer) else { throw BenchError("no bench viewer in \(url)") }
        var views = BenchReport()
        for read in PostgresViewRead.dashboard {
            var timings: [Double] = []
            for _ in 0..<samples {
                let began = ContinuousClock.now
                _ = try await store.read(read, sourceId: source, asUser: userId)
                timings.append((ContinuousClock.now - began).seconds * 1000)
            }
            let percentiles = Percentiles(timings)
            var figures = BenchReport()
            figures.set("p50_ms", percentiles.value(50))
            figures.set("p95_ms", percentiles.value(95))
            views.set(read.relation.rawValue, figures)
        }
        report.set("views", views)
        return report
    }
}
