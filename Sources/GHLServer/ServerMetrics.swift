import GHLAPI
import GHLStore
import GHLSync
import Synchronization

/// The counters `/metrics` shows, in Prometheus text format.
///
/// Small and self-contained on purpose: a handful of labelled counters and
/// gauges, fed by the routes, the sync wrapper, the change feed and the
/// realtime hub, and rendered on demand.
public final class ServerMetrics: Sendable {
    private struct Series: Hashable, Comparable {
        var name: String
        var labels: [String: String]

        var rendered: String {
            guard !labels.isEmpty else { return name }
            let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escaped($0.value))\"" }
            return "\(name){\(pairs.joined(separator: ","))}"
        }

        static func < (a: Series, b: Series) -> Bool { a.rendered < b.rendered }

        private static func escaped(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
    }

    private struct Family {
        var help: String
        var type: String
        var values: [Series: Double] = [:]
    }

    private let families = Mutex<[String: Family]>([:])
    /// Read just before rendering: gauges whose value lives elsewhere (open WebSockets).
    private let observers = Mutex<[@Sendable (ServerMetrics) -> Void]>([])

    public init() {
        for (name, help, type) in Self.catalog {
            families.withLock { $0[name] = Family(help: help, type: type) }
        }
    }

    /// Every metric ghlsync exposes, so each appears (at zero) before its first event.
    private static let catalog: [(String, String, String)] = [
        ("ghlsync_sync_runs_total", "Entity syncs run, by entity and outcome.", "counter"),
        ("ghlsync_sync_failures_total", "Entity syncs that failed, by entity.", "counter"),
        ("ghlsync_sync_records_total", "Records written by syncs, by entity.", "counter"),
        ("ghlsync_sync_duration_seconds", "Wall time of sync calls (run-all or one entity), by kind.", "summary"),
        ("ghlsync_ghl_api_requests_total", "Requests sent to the GHL API, retries included.", "counter"),
        ("ghlsync_ghl_api_rate_limited_total", "GHL API answers with status 429.", "counter"),
        ("ghlsync_webhooks_total", "GHL webhook deliveries, by outcome.", "counter"),
        ("ghlsync_realtime_clients", "Connected realtime WebSocket clients.", "gauge"),
        ("ghlsync_realtime_events_total", "Committed row changes published to the topic bus, by table.", "counter"),
        ("ghlsync_http_requests_total", "HTTP requests served, by status class.", "counter"),
    ]

    /// Adds to a counter; `family` names the metric a `_sum`/`_count` series belongs to.
    public func increment(_ name: String, _ labels: [String: String] = [:], by amount: Double = 1, family: String? = nil) {
        families.withLock {
            $0[family ?? name, default: Family(help: name, type: "counter")].values[Series(name: name, labels: labels), default: 0] += amount
        }
    }

    public func set(_ name: String, _ labels: [String: String] = [:], to value: Double) {
        families.withLock { $0[name, default: Family(help: name, type: "gauge")].values[Series(name: name, labels: labels)] = value }
    }

    public func value(_ name: String, _ labels: [String: String] = [:], family: String? = nil) -> Double {
        families.withLock { $0[family ?? name]?.values[Series(name: name, labels: labels)] ?? 0 }
    }

    /// Records one entity's sync outcome.
    public func recordSync(_ result: EntityResult) {
        let entity = result.entity.rawValue
        increment("ghlsync_sync_runs_total", ["entity": entity, "outcome": result.ok ? "ok" : "failed"])
        if !result.ok { increment("ghlsync_sync_failures_total", ["entity": entity]) }
        increment("ghlsync_sync_records_total", ["entity": entity], by: Double(result.count))
    }

    public func recordDuration(kind: String, seconds: Double) {
        increment("ghlsync_sync_duration_seconds_sum", ["kind": kind], by: seconds, family: "ghlsync_sync_duration_seconds")
        increment("ghlsync_sync_duration_seconds_count", ["kind": kind], family: "ghlsync_sync_duration_seconds")
    }

    /// Shows the GHL API totals of every rate budget in `registry` (all
    /// requests this process sent to GHL, retries included, and the 429s).
    public func observeGHLRequests(of registry: RateBudgetRegistry) {
        observe { metrics in
            let totals = registry.all.map(\.metrics.snapshot)
            metrics.set("ghlsync_ghl_api_requests_total", to: Double(totals.reduce(0) { $0 + $1.requests }))
            metrics.set("ghlsync_ghl_api_rate_limited_total", to: Double(totals.reduce(0) { $0 + $1.rateLimited }))
        }
    }

    /// Registers `observer` to refresh gauges right before each rendering.
    public func observe(_ observer: @escaping @Sendable (ServerMetrics) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Counts committed row changes as they go to the topic bus.
    public func recordChanges(_ events: [ChangeEvent]) {
        for event in events { increment("ghlsync_realtime_events_total", ["table": event.table]) }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func render() -> String {
        for observer in observers.withLock({ $0 }) { observer(self) }
        let snapshot = families.withLock { $0 }
        var text = ""
        for (name, family) in snapshot.sorted(by: { $0.key < $1.key }) {
            text += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.type)\n"
            if family.values.isEmpty && family.type != "summary" { text += "\(name) 0\n" }
            for (series, value) in family.values.sorted(by: { $0.key < $1.key }) {
                text += "\(series.rendered) \(Self.format(value))\n"
            }
        }
        return text
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
