import ArgumentParser
import Foundation
import GHLStore
import GHLSync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Sync a source's GHL data into the file (the seed's run-ghl-all).",
        discussion: """
            Entities are fetched in parallel under the location's rate budget. A run that is \
            interrupted resumes from its last committed page. Exits non-zero when any entity failed.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "The source id (see `ghlsync sources list`).") var source: String
    @Option(help: "Comma-separated entities: \(Entity.allCases.map(\.rawValue).joined(separator: ",")). Default: all.")
    var entities: String?
    @Option(help: "full or incremental (incremental lists everything the first time).") var mode: String = "incremental"
    @Option(name: .customLong("page-size"), help: "Records per request (default: each endpoint's maximum).") var pageSize: Int?

    func validate() throws {
        _ = try parsedEntities()
        guard SyncMode(rawValue: mode) != nil else { throw ValidationError("--mode must be full or incremental") }
        if let pageSize, pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
    }

    func run() async throws {
        let store = try database.open()
        let request = RunRequest(sourceId: source, entities: try parsedEntities(), mode: SyncMode(rawValue: mode)!, pageSize: pageSize)
        let display = SyncProgressDisplay(entities: request.entities, interactive: isatty(STDOUT_FILENO) == 1)
        let result: RunAllResult
        do {
            result = try await SyncEngine(store: store).runAll(request, progress: display.update)
        } catch let error as StoreError {
            throw ValidationError(error.description)
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
