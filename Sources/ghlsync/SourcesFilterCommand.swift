import ArgumentParser
import GHLStore
import GHLSync

extension SourcesCommand {
    struct Filter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose which GHL data a source keeps: entities, pipelines, statuses, a date range, contact rules.",
            discussion: """
                Options narrow what the source keeps and combine with AND: a record is kept only when it \
                passes every rule that applies to its entity. A repeated --pipeline or --status keeps any of \
                its values; a repeated --contact-tag or --contact-field requires all of them. Each run \
                replaces the source's whole filter; --clear removes it.

                --from and --to (YYYY-MM-DD, UTC days, inclusive) keep records that GHL created or last \
                updated within the range, for every entity but pipelines. --pipeline (an id or a name) also \
                limits the pipelines table. Tags and custom field values compare case-insensitively; a \
                custom field is named by its id, its key (contact.tier or tier) or its name.

                Pipelines and custom fields are checked against the source's GHL location with its token. \
                A mistake (an unknown entity, pipeline, status or field, a bad or reversed date, an empty \
                value) changes nothing. Stored rows the new filter excludes are marked out of scope at once \
                (deleted_at set, deleted_reason 'out_of_scope'): views and the dashboard leave them out, the \
                file keeps them. Records the new filter includes arrive with the next sync, which lists \
                everything once.

                Example: ghlsync sources filter --db agency.sqlite --source ID --pipeline Sales --status open \
                --from 2024-01-01 --contact-tag customer --contact-field tier=gold
                """)

        @OptionGroup var database: SyncDatabaseOption
        @Option(help: "The source id.") var source: String
        @Option(help: "Comma-separated entities to sync: contacts, opportunities, pipelines, orders, payments, reviews (default: all).") var entities: String?
        @Option(help: ArgumentHelp("An opportunity pipeline to keep, by id or name.", valueName: "id-or-name"))
        var pipeline: [String] = []
        @Option(help: "An opportunity status to keep: open, won, lost or abandoned.") var status: [String] = []
        @Option(help: ArgumentHelp("First day kept (created or updated on or after).", valueName: "YYYY-MM-DD")) var from: String?
        @Option(help: ArgumentHelp("Last day kept (created or updated on or before).", valueName: "YYYY-MM-DD")) var to: String?
        @Option(name: .customLong("contact-tag"), help: "Contacts must have this tag.") var contactTag: [String] = []
        @Option(name: .customLong("contact-field"),
                help: ArgumentHelp("A contact custom field rule: KEY=VALUE, KEY~VALUE (contains) or KEY? (has a value).",
                                   valueName: "rule"))
        var contactField: [String] = []
        @Flag(help: "Remove the filter: the next sync brings everything back.") var clear = false

        private var request: FilterRequest {
            FilterRequest(entities: entities.map { $0.split(separator: ",").map(String.init) }, pipelines: pipeline,
                          statuses: status, from: from, to: to, contactTags: contactTag, contactFields: contactField)
        }

        func validate() throws {
            if clear, request != FilterRequest() { throw ValidationError("--clear takes no other filter option") }
            if !clear, request == FilterRequest() {
                throw ValidationError("give at least one filter option, or --clear to remove the filter")
            }
        }

        func run() async throws {
            let change = try await database.with { database in
                let engine = SyncEngine(store: database.syncStore)
                do {
                    return clear ? try await engine.clearFilter(sourceId: source) : try await engine.setFilter(request, sourceId: source)
                } catch let error as StoreError {
                    throw ValidationError(error.cliMessage)
                } catch let error as SyncError {
                    throw ValidationError(error.description)
                }
            }
            let summary = try await reportingErrors { try change.source.syncFilter()?.summary ?? [] }
            print(summary.isEmpty ? "\(change.source.name): no filter, everything is synced"
                                  : "\(change.source.name): filter set\n  " + summary.joined(separator: "\n  "))
            let marked = Entity.allCases.compactMap { entity in
                change.markedOutOfScope[entity].flatMap { $0 > 0 ? "\($0) \(entity.rawValue)" : nil }
            }
            if !marked.isEmpty { print("marked out of scope: " + marked.joined(separator: ", ")) }
        }
    }
}
