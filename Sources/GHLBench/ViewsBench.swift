import AsyncHTTPClient
import Foundation
import GHLPostgres
import GHLStore
import NIOCore

/// The `views` scenario: a generated database, one user scoped to one of its
/// sources, and every `/rest/v1` view timed over HTTP as the dashboard asks
/// for it; then the dashboard's first load (all widgets at once).
public struct ViewsBench: Sendable {
    public var dataset: ViewsDataset
    public var samples = 40
    /// Where to keep the generated database between runs; `nil` generates a
    /// fresh one in a temp dir and removes it afterwards.
    public var keptPath: String?
    /// A PostgreSQL database to time the same reads in too (under its RLS), after the file's.
    public var postgres: PostgresURL?

    public init(dataset: ViewsDataset) {
        self.dataset = dataset
    }

    /// The query the dashboard (or a client) sends for each view.
    static func requests(source: String) -> [(view: String, query: String)] {
        let scope = "source_id=eq.\(source)"
        return [
            ("v_ghl_dashboard_summary", scope),
            ("v_ghl_contacts_recent", "\(scope)&order=date_updated.desc&limit=50&offset=0"),
            ("v_ghl_opportunities_report", "\(scope)&order=updated_at.desc&limit=50"),
            ("v_ghl_pipeline_stage_summary", "\(scope)&order=pipeline_name.asc,stage_position.asc"),
            ("v_ghl_revenue_summary", "\(scope)&order=month.asc"),
            ("v_ghl_reviews_summary", scope),
            ("v_ghl_sync_status", "\(scope)&order=entity.asc"),
        ]
    }

    public func run() async throws -> BenchReport {
        let database = keptPath == nil ? try TemporaryDatabase(generating: dataset) : nil
        let store: Store
        if let database { store = database.store } else { store = try await dataset.kept(at: keptPath ?? "") }
        var report = try await BenchServer.with(store: store, measure)
        if let postgres {
            report.set("postgres", try await PostgresViewsBench(url: postgres, samples: samples).measure(copying: store, source: source))
        }
        return report
    }

    /// The source the viewer is granted.
    private var source: String { ViewsDataset.sourceId(min(3, dataset.sources - 1)) }

    private func measure(_ server: BenchServer) async throws -> BenchReport {
        let token = try await server.user("bench-viewer@example.com", role: .viewer, on: source)
        let start = ContinuousClock.now
        var report = BenchReport(scenario: "views")
        report.set("contacts", dataset.contacts)
        report.set("opportunities", dataset.opportunities)
        report.set("sources", dataset.sources)
        var views = BenchReport()
        let requests = Self.requests(source: source)
        for (view, query) in requests {
            let url = "\(server.baseURL)/rest/v1/\(view)?\(query)"
            var timings: [Double] = []
            for _ in 0..<samples {
                timings.append(try await Self.time(url, token: token, countRows: view == "v_ghl_contacts_recent"))
            }
            let percentiles = Percentiles(timings)
            var figures = BenchReport()
            figures.set("p50_ms", percentiles.value(50))
            figures.set("p95_ms", percentiles.value(95))
            views.set(view, figures)
        }
        report.set("views", views)

        var loads: [Double] = []
        for _ in 0..<10 {
            let began = ContinuousClock.now
            try await withThrowingTaskGroup(of: Double.self) { group in
                group.addTask { try await Self.time("\(server.baseURL)/auth/v1/user", token: token, countRows: false) }
                for (view, query) in requests where view != "v_ghl_opportunities_report" {
                    group.addTask { try await Self.time("\(server.baseURL)/rest/v1/\(view)?\(query)", token: token, countRows: view == "v_ghl_contacts_recent") }
                }
                try await group.waitForAll()
            }
            loads.append((ContinuousClock.now - began).seconds * 1000)
        }
        let load = Percentiles(loads)
        report.set("dashboard_first_load_ms_p50", load.value(50))
        report.set("dashboard_first_load_ms_max", load.value(100))
        report.set("wall_seconds", (ContinuousClock.now - start).seconds)
        return report
    }

    /// Milliseconds for one authorized GET, which must succeed (a counted page
    /// answers 206, as PostgREST's do).
    static func time(_ url: String, token: String, countRows: Bool) async throws -> Double {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if countRows { request.headers.add(name: "Prefer", value: "count=exact") }
        let began = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        let elapsed = (ContinuousClock.now - began).seconds * 1000
        guard response.status == .ok || response.status == .partialContent else { throw BenchError("GET \(url): \(response.status.code) \(String(buffer: body))") }
        return elapsed
    }
}

extension TemporaryDatabase {
    convenience init(generating dataset: ViewsDataset) throws {
        try self.init(path: { try dataset.generate(at: $0) })
    }
}
