import Foundation
import GHLPostgresTestSupport
import Testing

/// Each `ghlsync bench` scenario runs end to end at a tiny size and prints one
/// JSON object with the keys scripts rely on, and figures that add up.
@Suite(.serialized) struct BenchCommandTests {
    private func run(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLIRunner.run(["bench"] + arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").last)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    private func expectKeys(_ json: [String: Any], _ keys: [String]) {
        for key in ["scenario", "wall_seconds"] + keys {
            #expect(json[key] != nil, "missing \(key) in \(json)")
        }
    }

    /// The sync's CPU figures agree with each other and with the machine: no
    /// more CPU than its cores give in the wall time, and some.
    private func expectCPU(_ json: [String: Any]) throws {
        let cpu = try #require(json["cpu_seconds"] as? Double), wall = try #require(json["wall_seconds"] as? Double)
        let records = try #require(json["records"] as? Int)
        #expect(cpu > 0)
        // Each figure is rounded to 3 decimals: allow the rounding of the inputs they are checked against.
        #expect(abs(try #require(json["cpu_us_per_record"] as? Double) - cpu * 1e6 / Double(records)) <= 0.0006e6 / Double(records) + 0.001)
        let busy = try #require(json["cores_busy"] as? Double)
        #expect(abs(busy - cpu / wall) <= 0.0006 * (1 / wall + cpu / (wall * wall)) + 0.001)
        #expect(busy <= Double(ProcessInfo.processInfo.activeProcessorCount) + 0.05)
    }

    static let tiny = ["--contacts", "600", "--opportunities", "150", "--orders", "40", "--transactions", "40", "--reviews", "20"]
    /// The records one location of `tiny` holds: its arguments' counts and the sandbox's 3 pipelines.
    static let tinyRecords = 600 + 150 + 40 + 40 + 20 + 3

    @Test func syncFiguresAddUp() throws {
        let json = try run(["sync"] + Self.tiny)
        expectKeys(json, ["records", "records_per_second", "requests", "min_requests", "http_429", "peak_rss_bytes"])
        #expect(json["scenario"] as? String == "sync")
        let records = try #require(json["records"] as? Int), wall = try #require(json["wall_seconds"] as? Double)
        #expect(records == Self.tinyRecords)
        let rate = try #require(json["records_per_second"] as? Double)
        #expect(abs(rate - Double(records) / wall) / rate < 0.02)
        #expect(json["min_requests"] as? Int == 2 + 1 + 1 + 1 + 1 + 1)
        #expect((json["requests"] as? Int ?? 0) >= (json["min_requests"] as? Int ?? .max))
        try expectCPU(json)
    }

    /// `--capture-changes` syncs the same data three times: without the log, with the log alone, with a listener too.
    @Test func captureChangesSeparatesTheLogFromTheListener() throws {
        let json = try run(["sync", "--capture-changes"] + Self.tiny)
        let off = try #require(json["capture_off"] as? [String: Any]), logOnly = try #require(json["capture_log_only"] as? [String: Any])
        for (report, capture, listener) in [(off, false, false), (logOnly, true, false), (json, true, true)] {
            #expect(report["records"] as? Int == Self.tinyRecords)
            #expect(report["change_capture"] as? Bool == capture)
            #expect(report["commit_listener"] as? Bool == listener)
        }
        let offRate = try #require(off["records_per_second"] as? Double)
        for (ratio, rate) in [("capture_on_vs_off", json["records_per_second"]), ("log_only_vs_off", logOnly["records_per_second"])] {
            let expected = try #require(rate as? Double) / offRate
            #expect(abs(try #require(json[ratio] as? Double) - expected) <= 0.0006, "\(ratio)")
        }
    }

    @Test func throttledSyncReportsItsMinimums() throws {
        let json = try run(["sync-throttled"] + Self.tiny)
        expectKeys(json, ["records", "records_per_second", "requests", "min_requests", "http_429", "peak_rss_bytes", "min_wall_seconds"])
        #expect(json["http_429"] as? Int == 0)
        #expect(json["min_wall_seconds"] as? Double == 0.7)
    }

    @Test func agencySyncsEveryLocationAtItsMinimum() throws {
        for mode in [[], ["--unthrottled"]] {
            let json = try run(["agency", "--locations", "3"] + mode + Self.tiny)
            expectKeys(json, ["wall_seconds", "requests", "min_requests", "http_429", "records", "records_per_second", "peak_rss_bytes"])
            #expect(json["scenario"] as? String == (mode.isEmpty ? "agency" : "agency-unthrottled"))
            #expect(json["locations"] as? Int == 3)
            #expect(json["records"] as? Int == 3 * Self.tinyRecords)
            #expect(json["min_requests"] as? Int == 3 * 7)
            #expect(json["requests"] as? Int == json["min_requests"] as? Int)
            #expect(json["http_429"] as? Int == 0)
            try expectCPU(json)
            if mode.isEmpty {
                // The floor: the busiest location's 7 requests at 10 per second.
                #expect(json["floor_seconds"] as? Double == 0.7)
                #expect(json["ceiling_rows_per_second"] == nil)
            } else {
                #expect(json["floor_seconds"] == nil)
                // SQLite's own copy of the synced contacts, and the sync's rate as a share of it.
                let ceiling = try #require(json["ceiling_rows_per_second"] as? Double)
                let rate = try #require(json["records_per_second"] as? Double)
                #expect(ceiling > 0)
                #expect(abs(try #require(json["vs_ceiling"] as? Double) - rate / ceiling) <= 0.0006 * (1 + rate / ceiling) / ceiling + 0.001)
            }
        }
    }

    @Test func incrementalComparesWithFull() throws {
        let json = try run(["incremental", "--contacts", "5000", "--opportunities", "150", "--orders", "40", "--transactions", "40",
                            "--reviews", "20", "--percent", "5"])
        expectKeys(json, ["full_requests", "incremental_requests", "changed_records", "store_equals_sandbox", "differing_records",
                          "incremental_requests_by_endpoint", "conditions"])
        // Updated older orders, transactions and reviews are invisible to an incremental run (GHL filters them by creation
        // time only) and the bench delivers no webhooks for them: the report says so rather than claiming equality.
        #expect(json["store_equals_sandbox"] as? Bool == false)
        #expect(json["differing_records"] as? [String: Int] == ["orders": 2, "payments": 2, "reviews": 1])
        #expect(json["changed_records"] as? Int == 250 + 8 + 2 + 2 + 1)
        #expect((json["incremental_requests"] as? Int ?? .max) < (json["full_requests"] as? Int ?? 0))
    }

    @Test func seedBaselineGivesARatio() throws {
        let json = try run(["seed-baseline"] + Self.tiny)
        expectKeys(json, ["records", "records_per_second", "sync_records_per_second", "ratio_vs_sync"])
        // The baseline stores the same records one transaction each; the ratio is the engine's rate over the baseline's.
        #expect(json["records"] as? Int == Self.tinyRecords)
        let baseline = try #require(json["records_per_second"] as? Double), sync = try #require(json["sync_records_per_second"] as? Double)
        #expect(baseline.isFinite && baseline > 0 && sync.isFinite && sync > 0)
        let ratio = try #require(json["ratio_vs_sync"] as? Double)
        // The report rounds figures to 0.001: the ratio agrees with the two rates it prints to that rounding.
        #expect(abs(ratio - sync / baseline) <= 0.0006)
    }

    @Test func viewsTimesEveryView() throws {
        let json = try run(["views", "--sources", "2", "--contacts", "2000", "--opportunities", "400", "--samples", "3"])
        let views = try #require(json["views"] as? [String: [String: Double]])
        #expect(Set(views.keys) == ["v_ghl_contacts_recent", "v_ghl_opportunities_report", "v_ghl_pipeline_stage_summary",
                                    "v_ghl_revenue_summary", "v_ghl_reviews_summary", "v_ghl_sync_status", "v_ghl_dashboard_summary"])
        for (view, figures) in views {
            #expect((figures["p50_ms"] ?? -1) >= 0 && (figures["p95_ms"] ?? -1) >= (figures["p50_ms"] ?? .infinity), "\(view)")
        }
        expectKeys(json, ["dashboard_first_load_ms_p50"])
    }

    @Test func realtimeDeliversEveryEvent() throws {
        let json = try run(["realtime", "--clients", "3", "--events-per-second", "100", "--seconds", "1"])
        expectKeys(json, ["clients", "events", "delivered", "lost", "latency_ms_p50", "latency_ms_p95", "latency_ms_p99", "rss_bytes"])
        #expect(json["events"] as? Int == 100)
        #expect(json["engine"] as? String == "sqlite")
        #expect(json["delivered"] as? Int == 300)
        #expect(json["lost"] as? Int == 0)
    }

    /// Over PostgreSQL: `serve --db postgres://` in process, the writer committing into the database;
    /// the same keys as on the file, and the engine.
    @Test func realtimeOverPostgresDeliversEveryEvent() throws {
        let url = try PostgresCluster.shared().createDatabase("bench")
        let json = try run(["realtime", "--db", url, "--clients", "3", "--events-per-second", "100", "--seconds", "1"])
        expectKeys(json, ["clients", "events", "delivered", "lost", "duplicates", "latency_ms_p50", "latency_ms_p99", "rss_bytes"])
        #expect(json["engine"] as? String == "postgres")
        #expect(json["delivered"] as? Int == 300)
        #expect(json["lost"] as? Int == 0 && json["duplicates"] as? Int == 0 && json["resync_signals"] as? Int == 0)
        #expect(try CLIRunner.run(["bench", "realtime", "--db", url, "--cross-process"]).status != 0)
    }

    /// The changes come from a separate writer process, through the file's change log.
    @Test func realtimeDeliversEveryEventOfAnotherProcess() throws {
        let json = try run(["realtime", "--cross-process", "--clients", "3", "--events-per-second", "100", "--seconds", "1"])
        expectKeys(json, ["latency_ms_p99", "rss_bytes_peak"])
        #expect(json["cross_process"] as? Bool == true)
        #expect(json["delivered"] as? Int == 300)
        #expect(json["lost"] as? Int == 0 && json["duplicates"] as? Int == 0)
    }

    /// After a restart every client resumes from its seq: more events than
    /// its queue holds, streamed from the file, each once.
    @Test func realtimeRestartResumesEveryClientWithEveryMissedEvent() throws {
        let json = try run(["realtime", "--restart", "--clients", "3", "--missed", "6000"])
        expectKeys(json, ["restart_seconds", "replay_seconds"])
        #expect(json["delivered"] as? Int == 18_000)
        #expect(json["lost"] as? Int == 0 && json["duplicates"] as? Int == 0 && json["refetch_or_resync_signals"] as? Int == 0)
        #expect(json["every_client_every_event_once"] as? Bool == true)
    }
}
