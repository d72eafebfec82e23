import ArgumentParser
import Foundation
import GHLStore
import GHLSync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Sync a source's GHL data (or every active source's) into the file (the seed's run-ghl-all).",
        discussion: """
            Entities are fetched in parallel under the location's rate budget. A run that is \
            interrupted resumes from its last committed page. Exits non-zero when any entity failed. \
            With --all every active source syncs at once, each under its own location's budget; \
            a source that fails fails alone, and the exit is non-zero when any did.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "The source id (see `ghlsync sources list`).") var source: String?
    @Flag(help: "Sync every active source at once instead of one.") var all = false
    @Option(help: "Comma-separated entities: \(Entity.allCases.map(\.rawValue).joined(separator: ",")). Default: all.")
    var entities: String?
    @Option(help: "full or incremental (incremental lists everything the first time).") var mode: String = "incremental"
    @Option(name: .customLong("page-size"), help: "Records per request (default: each endpoint's maximum).") var pageSize: Int?

    func validate() throws {
        _ = try parsedEntities()
        guard SyncMode(rawValue: mode) != nil else { throw ValidationError("--mode must be full or incremental") }
        if let pageSize, pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
        guard (source == nil) == all else { throw ValidationError("give either --source or --all") }
    }

    func run() async throws {
        let store = try database.open()
        guard let source else { return try await syncEverySource(SyncEngine(store: store)) }
        let request = RunRequest(sourceId: source, entities: try parsedEntities(), mode: SyncMode(rawValue: mode)!, pageSize: pageSize)
        let display = SyncProgressDisplay(rows: request.entities.map(\.rawValue), interactive: isatty(STDOUT_FILENO) == 1)
        let result: RunAllResult
        do {
            result = try await SyncEngine(store: store).runAll(request, progress: { display.update($0) })
        } catch let error as StoreError {
            throw ValidationError(error.cliMessage)
        } catch let error as SyncError {
            throw ValidationError(error.description)
        }
        display.finish()
        for failure in result.results where !failure.ok {
            print("\(failure.entity.rawValue) failed: \(failure.error ?? "unknown error")")
        }
        print("Sync completed: \(result.summary)")
        if !result.ok { throw ExitCode(1) }
    }

    /// `--all`: one row of progress per source, then a summary per source.
    private func syncEverySource(_ engine: SyncEngine) async throws {
        let sources = try await engine.store.sources().filter(\.isActive)
        let display = SyncProgressDisplay(rows: sources.map(SourceProgress.label), interactive: isatty(STDOUT_FILENO) == 1)
        let progress = SourceProgress()
        let outcomes: [SourceRunResult]
        do {
            outcomes = try await engine.runEverySource(
                entities: try parsedEntities(), mode: SyncMode(rawValue: mode)!, pageSize: pageSize,
                progress: { source, p in display.update(SourceProgress.label(source), progress.row(after: p, of: source)) },
                finished: { display.update(SourceProgress.label($0.source), SourceProgress.row(of: $0)) })
        } catch let error as SyncError {
            throw ValidationError(error.description)
        }
        display.finish()
        for outcome in outcomes {
            print("\(SourceProgress.label(outcome.source)): \(outcome.result.map(\.summary) ?? "failed: \(outcome.error ?? "unknown error")")")
            for failure in outcome.result?.results ?? [] where !failure.ok {
                print("  \(failure.entity.rawValue) failed: \(failure.error ?? "unknown error")")
            }
        }
        let failed = outcomes.filter { !$0.ok }.count
        print("Sync completed: \(outcomes.count - failed) sources succeeded, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    private func parsedEntities() throws -> [Entity] {
        guard let entities else { return Entity.allCases }
        return try entities.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let entity = Entity(rawValue: trimmed) else {
                throw ValidationError("unknown entity \(trimmed); entities are \(Entity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return entity
        }
    }
}
