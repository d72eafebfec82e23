import Dispatch

extension Store {
    /// Runs synchronous store work off Swift's cooperative thread pool.
    ///
    /// A blocking GRDB read on a cooperative thread can wait for a reader held by
    /// a task that needs that very thread to resume; with two cores the pool has
    /// two threads, so a burst of requests deadlocks. Async request paths that
    /// call synchronous store APIs go through here.
    public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
