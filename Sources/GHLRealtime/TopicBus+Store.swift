import GHLStore

extension TopicBus {
    /// Feeds the bus from `store`'s change log, as `serve` does: caught up
    /// from the file first (its last `logCapacity` rows warm the cache, every
    /// topic continues from its last seq, older resumes read the file), then
    /// every row logged after, by any process, in commit order.
    /// `handler` sees the same batches (for metrics).
    public func follow(_ store: Store, handler: (@Sendable ([ChangeEvent]) -> Void)? = nil) async throws {
        let snapshot = try await store.changeLogSnapshot(recent: configuration.logCapacity)
        restore(recent: snapshot.recent, lastSeqs: snapshot.lastSeqs, history: { topic, after, through, limit in
            try? store.loggedChanges(of: String(topic.dropFirst("ghl:".count)), after: after, through: through, limit: limit)
        })
        try await store.onCommit(after: snapshot.lastID) { [self] events in
            publish(events)
            handler?(events)
        }
    }
}
