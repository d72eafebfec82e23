import GHLModel
import GHLStore

/// One source's outcome in a sync of every active source.
public struct SourceRunResult: Sendable {
    public var source: Source
    /// The run's result, or nil when it could not start (`error` says why).
    public var result: RunAllResult?
    public var error: String?

    public var ok: Bool { result?.ok ?? false }
}

extension SyncEngine {
    /// Syncs every active source at once: `ghlsync sync --all`.
    ///
    /// Each source is an ordinary run (`runAll`): its client draws on its own
    /// location's rate budget, so the locations together go at the sum of
    /// their limits, and every run writes through this store's one writer.
    /// A source that fails, even before it starts (no token, a run of it
    /// already under way elsewhere), fails alone; the others go on.
    /// `finished` sees each source's result as soon as its run ends.
    public func runEverySource(
        entities: [Entity] = Entity.allCases, mode: SyncMode, pageSize: Int? = nil,
        progress: (@Sendable (Source, SyncProgress) -> Void)? = nil,
        finished: (@Sendable (SourceRunResult) -> Void)? = nil
    ) async throws -> [SourceRunResult] {
        let sources = try await store.sources().filter(\.isActive)
        guard !sources.isEmpty else { throw SyncError.invalidInput("no active sources (add one with `ghlsync sources add`)") }
        return await withTaskGroup(of: (Int, SourceRunResult).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { [self] in
                    let request = RunRequest(sourceId: source.id, entities: entities, mode: mode, pageSize: pageSize)
                    var forward: (@Sendable (SyncProgress) -> Void)?
                    if let progress { forward = { progress(source, $0) } }
                    let outcome: SourceRunResult
                    do {
                        let result = try await runAll(request, progress: forward)
                        outcome = SourceRunResult(source: source, result: result)
                    } catch {
                        outcome = SourceRunResult(source: source, error: String(describing: error))
                    }
                    finished?(outcome)
                    return (index, outcome)
                }
            }
            var results = [SourceRunResult?](repeating: nil, count: sources.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }
}
