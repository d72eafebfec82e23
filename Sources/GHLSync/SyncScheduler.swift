import Foundation
import GHLStore
import Logging
import Synchronization

/// Runs each scheduled source every `sync_interval_seconds` in its `sync_mode`.
///
/// A plain async loop that ends when its task is cancelled, so the server can
/// run it as a ServiceLifecycle service (`run()` is the `Service` requirement)
/// or in a task group. A source is due when its interval has passed since the
/// start of its last run (any job row, whoever started it), so a manual sync
/// postpones the next scheduled one instead of doubling it. Schedules are
/// re-read on every tick: `ghlsync sources schedule` takes effect without a restart.
public struct SyncScheduler: Sendable {
    let engine: SyncEngine
    let tick: Duration
    let logger: Logger

    public init(engine: SyncEngine, tick: Duration = .seconds(15), logger: Logger = Logger(label: "ghlsync.scheduler")) {
        self.engine = engine
        self.tick = tick
        self.logger = logger
    }

    public func run() async throws {
        let running = RunningSources()
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                let due: [Source]
                do { due = try await dueSources() } catch is CancellationError {
                    break  // shutting down: the store's async reads end with the task
                } catch {
                    logger.error("cannot read schedules: \(error)")
                    due = []
                }
                for source in due where running.insert(source.id) {
                    let mode = SyncMode(rawValue: source.syncMode) ?? .incremental
                    group.addTask {
                        defer { running.remove(source.id) }
                        do {
                            let result = try await engine.runAll(RunRequest(sourceId: source.id, mode: mode))
                            logger.info("scheduled sync of \(source.name): \(result.summary)")
                        } catch {
                            logger.error("scheduled sync of \(source.name) failed: \(error)")
                        }
                    }
                }
                try? await Task.sleep(for: tick)
            }
            group.cancelAll()
        }
    }

    /// Active scheduled sources whose interval has passed since their last run started.
    func dueSources(now: Date = Date()) async throws -> [Source] {
        try await engine.store.dueSources(now: now)
    }
}

/// The sources the scheduler has a run under way for.
private final class RunningSources: Sendable {
    private let ids = Mutex<Set<String>>([])

    func insert(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }
    func remove(_ id: String) { _ = ids.withLock { $0.remove(id) } }
}
