import GHLSync
import ServiceLifecycle

/// Runs the sources' sync schedules while the server runs. On graceful
/// shutdown the scheduler's task is cancelled; the engine stops between
/// pages, so the page in flight still commits.
struct ScheduleService: Service {
    let scheduler: SyncScheduler

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await scheduler.run() }
    }
}
