import GHLPostgres
import GHLRealtime
import GHLStore
import Logging
import ServiceLifecycle

/// Feeds the topic bus from PostgreSQL's `ghlsync_changes` while the server
/// runs, as `ChangeLogTailService` does from the file: every change any
/// process commits (a `ghlsync sync`, another `serve`, psql) reaches the bus
/// once, in each topic's seq order. A lost connection is reopened after a
/// pause, continuing from the last seq each topic reached. Every `pruneEvery`
/// it prunes the table to `bounds`. A resume older than the bus's cache reads
/// the table (`PostgresChangeHistory`), as on the file; past the pruning
/// horizon the client is told to refetch.
public struct PostgresChangeFeedService: Service {
    let store: PostgresStore
    let feed: PostgresChangeFeed
    let history: PostgresChangeHistory
    let bus: TopicBus
    /// Each topic's last seq when the bus was restored: where the feed starts.
    let start: [String: Int64]
    let handler: @Sendable ([ChangeEvent]) -> Void
    let bounds: ChangeLogBounds
    let logger: Logger
    var retryAfter: Duration = .seconds(1)
    var pruneEvery: Duration = .seconds(10)

    /// Restores `bus` from the database (its recent changes warm the cache,
    /// every topic continues after its last seq) and returns the service that follows it.
    public static func following(_ store: PostgresStore, into bus: TopicBus, bounds: ChangeLogBounds, logger: Logger,
                                 handler: @escaping @Sendable ([ChangeEvent]) -> Void = { _ in }) async throws -> PostgresChangeFeedService {
        let feed = PostgresChangeFeed(store: store)
        let snapshot = try await feed.snapshot(recent: bus.configuration.logCapacity)
        // It holds nothing until a resume reads it (so a server that fails to start leaks nothing); `run` closes it.
        let history = try PostgresChangeHistory(store: store)
        bus.restore(recent: snapshot.recent, lastSeqs: snapshot.lastSeqs, history: { topic, after, through, limit in
            try? history.changes(of: String(topic.dropFirst("ghl:".count)), after: after, through: through, limit: limit)
        })
        return PostgresChangeFeedService(store: store, feed: feed, history: history, bus: bus, start: snapshot.lastSeqs,
                                         handler: handler, bounds: bounds, logger: logger)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { [self] in
            await withDiscardingTaskGroup { group in
                group.addTask { await follow() }
                group.addTask { await prune() }
            }
        }
        await history.close()
    }

    private func follow() async {
        var reached = start
        while !Task.isCancelled {
            do {
                for try await event in feed.events(after: reached) {
                    bus.publish([event])
                    handler([event])
                    if let seq = event.seq { reached[event.sourceId] = seq }
                }
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                logger.error("cannot read ghlsync_changes: \(error)")
            }
            try? await Task.sleep(for: retryAfter)
        }
    }

    private func prune() async {
        while !Task.isCancelled {
            do {
                _ = try await store.pruneChanges(bounds)
            } catch {
                if Task.isCancelled { break }
                logger.error("cannot prune ghlsync_changes: \(error)")
            }
            try? await Task.sleep(for: pruneEvery)
        }
    }
}
