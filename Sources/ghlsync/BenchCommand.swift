import ArgumentParser
import Foundation
import GHLBench
import GHLPostgres
import GHLSandbox
import GHLStore

/// `ghlsync bench <scenario>`: the project's own benchmarks. Each scenario
/// starts what it needs (sandbox, database in a temp dir, server) and prints a
/// table, or one JSON object with `--json`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run a benchmark scenario and print its figures.",
        subcommands: [Sync.self, Throttled.self, Incremental.self, Agency.self, Realtime.self, RealtimeWriter.self, Views.self, SeedBaseline.self])

    /// Flags every scenario shares.
    struct Common: ParsableArguments {
        @Flag(help: "Print one JSON object instead of a table.") var json = false
        @Option(help: "default (finishes in under a minute on 2 cores) or large (the sizes the issues name).")
        var size: BenchSize = .default

        /// Written straight to the file descriptor: scripts read it from a pipe.
        func print(_ report: BenchReport) {
            FileHandle.standardOutput.write(Data(((json ? report.json() : report.table()) + "\n").utf8))
        }
    }

    enum BenchSize: String, ExpressibleByArgument, CaseIterable {
        case `default`, large
    }

    /// Sandbox record counts; each flag overrides the size preset.
    struct Records: ParsableArguments {
        @Option var contacts: Int?
        @Option var opportunities: Int?
        @Option var orders: Int?
        @Option var transactions: Int?
        @Option var reviews: Int?

        func resolve(_ size: BenchSize) -> RecordCounts {
            let preset = size == .large
                ? RecordCounts(contacts: 100_000, opportunities: 20_000, orders: 5_000, transactions: 5_000, reviews: 2_000)
                : RecordCounts(contacts: 20_000, opportunities: 4_000, orders: 1_000, transactions: 1_000, reviews: 400)
            return RecordCounts(contacts: contacts ?? preset.contacts, opportunities: opportunities ?? preset.opportunities,
                                       orders: orders ?? preset.orders, transactions: transactions ?? preset.transactions,
                                       reviews: reviews ?? preset.reviews)
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Full sync against the unthrottled sandbox.")
        @OptionGroup var common: Common
        @OptionGroup var records: Records
        @Flag(help: "Also sync, in the same run, into a file without the change log's triggers and into one with no commit listener, and report each against capture off.")
        var captureChanges = false
        @Option(name: .customLong("db"), help: "Also sync into this PostgreSQL database (postgres://..., best empty), after the SQLite file, and report both.")
        var postgres: String?

        func validate() throws {
            guard let postgres else { return }
            guard case .postgres = try DatabaseTarget(postgres) else { throw ValidationError("--db takes a postgres:// URL here") }
            guard !captureChanges else { throw ValidationError("--capture-changes and --db measure different things: give one") }
        }

        func run() async throws {
            var bench = SyncBench(size: records.resolve(common.size))
            bench.captureChanges = captureChanges
            if let postgres, case .postgres(let url) = try DatabaseTarget(postgres) { bench.postgres = url }
            common.print(try await bench.sync())
        }
    }

    struct Throttled: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync-throttled", abstract: "Full sync against a sandbox limited to 100 requests per 10 s.")
        @OptionGroup var common: Common
        @OptionGroup var records: Records

        func run() async throws {
            let preset = common.size == .large ? records.resolve(.large) : RecordCounts(
                contacts: records.contacts ?? 10_000, opportunities: records.opportunities ?? 2_000, orders: records.orders ?? 1_000,
                transactions: records.transactions ?? 1_000, reviews: records.reviews ?? 500)
            common.print(try await SyncBench(size: preset).throttled())
        }
    }

    struct Incremental: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full sync, change a share of the records in the sandbox, then an incremental sync.")
        @OptionGroup var common: Common
        @OptionGroup var records: Records
        @Option(help: "Percent of each entity's records to change.") var percent: Double = 1

        func run() async throws {
            common.print(try await SyncBench(size: records.resolve(common.size)).incremental(percent: percent))
        }
    }

    struct Agency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Many locations in one sandbox, at GHL's limit of 100 requests per 10 s each, and one sync of them all.")
        @OptionGroup var common: Common
        @OptionGroup var records: Records
        @Option(help: "Locations (sources).") var locations: Int = 10
        @Flag(help: "No rate limit: what the one writer takes from every location at once, against SQLite's own INSERT ... SELECT of the same contacts (ceiling_rows_per_second, vs_ceiling).") var unthrottled = false

        func validate() throws {
            guard locations >= 1 else { throw ValidationError("--locations must be at least 1") }
        }

        /// Per location; large is the agency of issue 16.
        func size() -> RecordCounts {
            let large = common.size == .large
            return RecordCounts(
                contacts: records.contacts ?? (large ? 50_000 : 5_000), opportunities: records.opportunities ?? (large ? 10_000 : 1_000),
                orders: records.orders ?? (large ? 2_000 : 200), transactions: records.transactions ?? (large ? 2_000 : 200),
                reviews: records.reviews ?? (large ? 1_000 : 100))
        }

        func run() async throws {
            common.print(try await AgencyBench(locations: locations, size: size(), throttled: !unthrottled).run())
        }
    }

    struct SeedBaseline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-baseline",
            abstract: "The seed's design (sequential entities, one upsert per record) on the same data, and the ratio to `sync`.")
        @OptionGroup var common: Common
        @OptionGroup var records: Records

        func run() async throws {
            common.print(try await SyncBench(size: records.resolve(common.size)).seedBaseline())
        }
    }

    struct Realtime: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "WebSocket clients joined on a source while changes are committed: delivery, latency, memory.")
        @OptionGroup var common: Common
        @Option(help: "Connected clients (default 50; large 200).") var clients: Int?
        @Option(name: .customLong("events-per-second"), help: "Committed changes per second (default 500; large 2000).") var eventsPerSecond: Int?
        @Option(help: "How long changes are committed, in seconds.") var seconds: Double = 5
        @Option(help: "Changes per transaction (default 10).") var batch: Int?
        @Flag(help: "Commit the changes from a separate process: they reach the server through the file's change log.")
        var crossProcess = false
        @Flag(help: "Restart the server with the clients resuming, after --missed changes committed while it was down.")
        var restart = false
        @Option(help: "Changes committed while the server is down (with --restart).") var missed = 100_000
        @Option(name: .customLong("db"), help: "Serve and commit into this PostgreSQL database (postgres://..., a scratch one: each run leaves its source, contacts and viewer there) instead of a file in a temp dir.")
        var postgres: String?

        func validate() throws {
            guard let postgres else { return }
            guard case .postgres = try DatabaseTarget(postgres) else { throw ValidationError("--db takes a postgres:// URL here") }
            guard !crossProcess, !restart else { throw ValidationError("--cross-process and --restart run on the file only") }
        }

        func run() async throws {
            if restart {
                var bench = RealtimeRestartBench()
                bench.clients = clients ?? (common.size == .large ? 200 : 50)
                bench.missed = missed
                return common.print(try await bench.run())
            }
            var bench = RealtimeBench()
            bench.crossProcess = crossProcess
            if let postgres, case .postgres(let url) = try DatabaseTarget(postgres) { bench.postgres = url }
            bench.clients = clients ?? (common.size == .large ? 200 : 50)
            bench.eventsPerSecond = eventsPerSecond ?? (common.size == .large ? 2000 : 500)
            bench.seconds = seconds
            if let batch { bench.batch = max(1, batch) }
            common.print(try await bench.run())
        }
    }

    /// The writer process of `realtime --cross-process`: its contacts carry
    /// the time each transaction began (see `RealtimeBench.write`).
    struct RealtimeWriter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "realtime-writer", shouldDisplay: false)
        @OptionGroup var database: DatabaseOption
        @Option var source: String
        @Option var events: Int
        @Option(name: .customLong("events-per-second")) var eventsPerSecond: Int
        @Option var batch: Int

        func run() async throws {
            let store = try database.open()
            try await RealtimeBench.write(store, source: source, total: events, batch: batch, eventsPerSecond: eventsPerSecond)
        }
    }

    struct Views: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A generated database; p50/p95 of every /rest/v1 view for a user scoped to one source, and the dashboard's first load.")
        @OptionGroup var common: Common
        @Option(help: "Sources the rows are spread over.") var sources: Int = 10
        @Option(help: "Contacts in all (default 100,000; large 1,000,000).") var contacts: Int?
        @Option(help: "Opportunities in all (default 20,000; large 200,000).") var opportunities: Int?
        @Option(help: "Requests per view.") var samples: Int = 40
        @Option(help: ArgumentHelp(
            "Keep the generated database at this file and reuse it on later runs with the same sizes; or a postgres:// URL.",
            discussion: """
                Without it, the database is generated in a temp dir and removed afterwards. With a postgres:// URL, the \
                generated file is timed, then copied into that database (an empty one; a later run reuses the copy) and \
                the same reads timed there as a viewer under its row-level security.
                """))
        var db: String?

        func run() async throws {
            var dataset = ViewsDataset()
            let large = common.size == .large
            dataset.sources = max(1, sources)
            dataset.contacts = contacts ?? (large ? 1_000_000 : 100_000)
            dataset.opportunities = opportunities ?? (large ? 200_000 : 20_000)
            dataset.orders = dataset.opportunities / 2
            dataset.payments = dataset.opportunities / 2
            dataset.reviews = dataset.opportunities / 4
            var bench = ViewsBench(dataset: dataset)
            bench.samples = max(1, samples)
            switch try db.map(DatabaseTarget.init) {
            case .postgres(let url)?: bench.postgres = url
            case .file(let path)?: bench.keptPath = path
            case nil: break
            }
            common.print(try await bench.run())
        }
    }
}
