import Foundation
import GHLAPI
import GHLStore
import Logging
import Synchronization

/// The orchestrator: the seed's `run-ghl-all`, for the CLI, the HTTP front and
/// the scheduler alike.
///
/// A run creates one `ghl_sync_jobs` row per entity and polls the entities in
/// parallel: one location's requests all draw on its single `RateBudget`
/// (the client shares it per location), so parallel entities fill the budget
/// without exceeding it, while different sources run at full rate each.
/// A failing entity fails its own job only.
///
/// At most one run per source: within this process a second request for the
/// same source joins the running one when that run covers it (same mode, its
/// entities included), and is refused otherwise; across processes the
/// source's lease refuses it. Nothing is ever fetched twice at once.
public final class SyncEngine: Sendable {
    public let store: any SyncStore
    let environment: [String: String]
    let retry: RetryPolicy
    let transport: (any GHLTransport)?
    let logger: Logger
    private let runs = Mutex<[String: Running]>([:])

    private struct Running {
        var id: UUID
        var request: RunRequest
        var task: Task<RunAllResult, any Error>
    }

    /// - Parameters:
    ///   - environment: where `token_env` variables are looked up.
    ///   - transport: how requests reach GHL; by default HTTP (AsyncHTTPClient).
    public init(store: any SyncStore, environment: [String: String] = ProcessInfo.processInfo.environment,
                retry: RetryPolicy = .default, transport: (any GHLTransport)? = nil,
                logger: Logger = Logger(label: "ghlsync.sync")) {
        self.store = store
        self.environment = environment
        self.retry = retry
        self.transport = transport
        self.logger = logger
    }

    /// Runs (or joins) a sync of a source. `progress` sees every committed page
    /// of a run this call starts; a joining call gets only the result.
    public func runAll(_ request: RunRequest, progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws -> RunAllResult {
        guard !request.entities.isEmpty else { throw SyncError.invalidInput("no entities to sync") }
        if let size = request.pageSize, size < 1 { throw SyncError.invalidInput("pageSize must be at least 1") }
        let task = try runs.withLock { runs -> Task<RunAllResult, any Error> in
            if let running = runs[request.sourceId] {
                guard running.request.mode == request.mode,
                      Set(request.entities).isSubset(of: running.request.entities) else {
                    throw SyncError.alreadyRunning(sourceId: request.sourceId, owner:
                        "this server, \(running.request.mode.rawValue) sync of \(running.request.entities.map(\.rawValue).joined(separator: ","))")
                }
                return running.task
            }
            let id = UUID()
            let task = Task { [self] in
                defer { self.runs.withLock { if $0[request.sourceId]?.id == id { $0[request.sourceId] = nil } } }
                return try await execute(request, runId: id.uuidString.lowercased(), progress: progress)
            }
            runs[request.sourceId] = Running(id: id, request: request, task: task)
            return task
        }
        let result = try await task.value
        let wanted = Set(request.entities)
        return RunAllResult(results: result.results.filter { wanted.contains($0.entity) })
    }

    /// One entity: the seed's `poll-ghl-{entity}`.
    public func poll(_ entity: Entity, sourceId: String, mode: SyncMode = .full, pageSize: Int? = nil) async throws -> EntityResult {
        let result = try await runAll(RunRequest(sourceId: sourceId, entities: [entity], mode: mode, pageSize: pageSize))
        return result.results[0]
    }

    /// Whether a run of `sourceId` is under way in this process.
    public func isRunning(sourceId: String) -> Bool {
        runs.withLock { $0[sourceId] != nil }
    }

    func makeClient(_ source: Source, auth: any GHLCredentialProvider) -> GHLClient {
        if let transport {
            return GHLClient(baseURL: source.apiBase, locationId: source.locationId, auth: auth, transport: transport, retry: retry)
        }
        return GHLClient(baseURL: source.apiBase, locationId: source.locationId, auth: auth, retry: retry)
    }

    /// Store calls here are async: `sync --all` runs hundreds of these at once, and a
    /// blocking read on one of the few cooperative threads can wait for a reader held
    /// by a task that needs that thread to resume.
    private func execute(_ request: RunRequest, runId: String, progress: (@Sendable (SyncProgress) -> Void)?) async throws -> RunAllResult {
        let source = try await store.source(id: request.sourceId)
        guard source.isActive else { throw SyncError.inactiveSource(source.id) }
        let filter = try source.syncFilter() ?? SyncFilter()
        var requested = Set<Entity>()
        let entities = request.entities.filter { requested.insert($0).inserted && filter.syncs($0) }
        guard !entities.isEmpty else {
            throw SyncError.invalidInput("the filter of source \(source.name) syncs none of: \(request.entities.map(\.rawValue).joined(separator: ", "))")
        }
        let lease = SourceLease(sourceId: source.id, owner: SourceLease.owner(runId: runId))
        if let holder = try await store.acquire(lease) {
            throw SyncError.alreadyRunning(sourceId: source.id, owner: holder)
        }
        let result: RunAllResult
        do {
            try await store.closeInterruptedSyncJobs(sourceId: source.id, resumedBy: runId)
            result = await pollEntities(entities, of: source, filter: filter, request: request, runId: runId, lease: lease, progress: progress)
        } catch {
            await release(lease)
            throw error
        }
        await release(lease)
        logger.info("sync of \(source.name) (\(request.mode.rawValue)): \(result.summary)")
        return result
    }

    private func release(_ lease: SourceLease) async {
        do { try await store.release(lease) } catch {
            logger.error("could not release the lease of \(lease.sourceId): \(error)")
        }
    }

    /// Every entity of the run at once, each under its own job.
    private func pollEntities(_ entities: [Entity], of source: Source, filter: SyncFilter, request: RunRequest, runId: String,
                              lease: SourceLease, progress: (@Sendable (SyncProgress) -> Void)?) async -> RunAllResult {
        let auth: Result<any GHLCredentialProvider, any Error> = Result {
            try SourceCredentials.auth(for: source, environment: environment)
        }
        let results = await withTaskGroup(of: EntityResult.self) { group in
            for entity in entities {
                group.addTask { [self] in
                    await poll(entity, of: source, filter: filter, request: request, runId: runId, auth: auth, lease: lease,
                               progress: progress)
                }
            }
            var results: [EntityResult] = []
            for await result in group { results.append(result) }
            return results
        }
        return RunAllResult(results: entities.compactMap { entity in results.first { $0.entity == entity } })
    }

    private func poll(_ entity: Entity, of source: Source, filter: SyncFilter, request: RunRequest, runId: String,
                      auth: Result<any GHLCredentialProvider, any Error>, lease: SourceLease,
                      progress: (@Sendable (SyncProgress) -> Void)?) async -> EntityResult {
        let last = Mutex(SyncJobProgress())
        var result = EntityResult(entity: entity, ok: false, count: 0, pages: 0, error: nil, skipped: 0,
                                  requests: 0, mode: request.mode, jobId: nil)
        @Sendable func report(_ state: SyncProgress.State, _ p: SyncJobProgress, error: String? = nil) {
            progress?(SyncProgress(entity: entity, state: state, records: p.records, pages: p.pages,
                                   requests: p.requests, total: p.total, error: error))
        }
        do {
            let (job, number) = try await store.startSyncJob(sourceId: source.id, entity: entity, mode: request.mode, runId: runId)
            result.jobId = number
            do {
                let client = try makeClient(source, auth: auth.get())
                let poller = EntityPoller(entity: entity, sourceId: source.id, filter: filter, store: store, client: client, job: job,
                                          lease: lease) { p in
                    last.withLock { $0 = p }
                    report(.running, p)
                }
                report(.running, SyncJobProgress())
                let outcome = try await poller.run(mode: request.mode, pageSize: request.pageSize)
                let notes = outcome.notes.isEmpty ? nil : outcome.notes.joined(separator: "\n")
                try await store.finishSyncJob(job, outcome.progress, mode: outcome.mode, error: nil, notes: notes)
                result.ok = true
                result.mode = outcome.mode
                result.skipped = outcome.progress.skipped
                last.withLock { $0 = outcome.progress }
            } catch {
                let message = String(describing: error)
                result.error = message
                let progress = last.withLock { $0 }
                try await store.finishSyncJob(job, progress, mode: nil, error: message, notes: nil)
            }
        } catch {
            result.error = result.error ?? String(describing: error)
        }
        let final = last.withLock { $0 }
        result.count = final.records
        result.pages = final.pages
        result.requests = final.requests
        result.skipped = final.skipped
        report(result.ok ? .completed : .failed, final, error: result.error)
        return result
    }
}
