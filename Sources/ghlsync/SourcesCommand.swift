import ArgumentParser
import GHLStore
import GHLSync

struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "Register and list GHL locations (sources).",
        subcommands: [Add.self, List.self, Schedule.self, Filter.self, Import.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a GHL location; prints the new source id on the last line.",
            discussion: "The token is never written into the database: give the name of an environment variable or the path of a 0600 secrets file, read at sync time.")

        @OptionGroup var database: SyncDatabaseOption
        @Option(help: "A name for this location.") var name: String
        @Option(name: .customLong("location-id"), help: "The GHL location id.") var locationId: String
        @Option(name: .customLong("api-base"), help: "GHL API base URL.") var apiBase: String = Source.defaultAPIBase
        @Option(name: .customLong("token-env"), help: "Environment variable holding the token.") var tokenEnv: String?
        @Option(name: .customLong("token-file"), help: "0600 file holding the token.") var tokenFile: String?
        @Option(help: "The location's currency, for revenue figures.") var currency: String = "USD"

        func run() async throws {
            let source = try await reportingErrors {
                try Source.new(name: name, locationId: locationId, apiBase: apiBase, tokenEnv: tokenEnv, tokenFile: tokenFile, currency: currency)
            }
            try await database.with { database in
                switch database {
                case .file(let store): try await reportingErrors { try await store.addSource(source) }
                case .postgres(let store): try await store.addSource(source)
                }
            }
            print("added source \(source.name) for location \(source.locationId)")
            print(source.id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered sources.")
        @OptionGroup var database: SyncDatabaseOption

        func run() async throws {
            let sources = try await database.with { try await $0.syncStore.sources() }
            var rows: [[String]] = []
            for s in sources {
                let token: String = s.tokenEnv.map { "env:\($0)" } ?? s.tokenFile.map { "file:\($0)" } ?? "-"
                let schedule: String = s.syncIntervalSeconds.map { "every \(SyncSchedule.describe($0)) \(s.syncMode)" } ?? "manual"
                let filter = try await reportingErrors { try s.syncFilter()?.summary.joined(separator: "; ") }
                rows.append([s.id, s.name, s.locationId, s.apiBase, token, schedule, filter ?? "-"])
            }
            print(TextTable(header: ["id", "name", "location", "api", "token", "schedule", "filters"], rows: rows).render())
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add every location where an agency's app is installed, from its Company credentials.",
            discussion: """
                The credentials file (0600) is {client_id, client_secret, refresh_token, user_type: "Company", company_id}; \
                rotated tokens are written back into it, and every imported source reads it at sync time. Re-running adds \
                new locations, never duplicates, and marks locations the app was uninstalled from inactive.
                """)

        @OptionGroup var database: SyncDatabaseOption
        @Option(name: .customLong("agency-credentials"), help: "The agency's 0600 credentials file.") var agencyCredentials: String
        @Option(name: .customLong("api-base"), help: "GHL API base URL.") var apiBase: String = Source.defaultAPIBase
        @Flag(name: .customLong("dry-run"), help: "List what would change, change nothing.") var dryRun = false
        @Option(help: "Schedule each added location (e.g. 15m, 1h), synced by `ghlsync serve`; a location INSTALL adds later gets the same.")
        var every: String?
        @Option(help: "incremental or full, for --every.") var mode: String = "incremental"

        func validate() throws {
            if let every { _ = try reportingSyncErrors { try SyncSchedule.parseInterval(every) } }
            guard SyncMode(rawValue: mode) != nil else { throw ValidationError("--mode must be incremental or full") }
        }

        func run() async throws {
            let plan = try await database.with { database in
                let store = database.sourceAdminStore
                let plan = try await reportingErrors {
                    try await AgencyImporter.run(store: store, credentialsFile: agencyCredentials, apiBase: apiBase, dryRun: dryRun)
                }
                if let every, !dryRun {
                    let interval = try reportingSyncErrors { try SyncSchedule.parseInterval(every) }
                    for source in plan.added {
                        _ = try await reportingErrors { try await store.setSchedule(sourceId: source.id, interval: interval, mode: SyncMode(rawValue: mode)) }
                    }
                }
                return plan
            }
            AgencyImportReport(plan: plan, dryRun: dryRun).print()
        }
    }
}
