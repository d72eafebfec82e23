import Synchronization

/// Pages in memory across every listing that shares it: fetched ahead of a
/// consumer, handed out, not yet released (stored).
///
/// Each listing's lookahead alone bounds its own pages; a process syncing
/// many sources at once runs dozens of listings, and their lookaheads
/// together held hundreds of pages. With one budget for all of them a page
/// is fetched only when a permit is free, and its consumer releases the
/// permit once the page is stored, so memory stays bounded whatever the
/// number of sources.
///
/// Waiters are served by priority, then first come, first served. A
/// listing's priority is the pages it still needs one after the other, so
/// when the writer is the limit the longest listing (a large location's
/// contacts) is not held to the pace of listings that could finish in a
/// burst later; with permits to spare, priority changes nothing.
public final class PageBudget: Sendable {
    public let permits: Int
    private let state: Mutex<State>

    private struct State {
        var available: Int
        /// Highest priority first, then oldest.
        var waiters: [(id: UInt64, priority: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextId: UInt64 = 0
    }

    public init(permits: Int) {
        self.permits = max(permits, 1)
        state = Mutex(State(available: max(permits, 1)))
    }

    /// Pages held now (fetched or being fetched, not yet released).
    public var inUse: Int { permits - state.withLock { $0.available } }

    /// Listings waiting for a permit.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Waits for a permit; throws `CancellationError` (holding none) when the task is cancelled first.
    ///
    /// - Parameter priority: waiters with a higher one are served first.
    public func acquire(priority: Int = 0) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Outcome in
                    // Cancelled before it could queue: the handler may already have run and found nothing.
                    if Task.isCancelled { return .cancelled }
                    if state.available > 0, state.waiters.isEmpty {
                        state.available -= 1
                        return .granted
                    }
                    let place = state.waiters.firstIndex { $0.priority < priority } ?? state.waiters.endIndex
                    state.waiters.insert((id, priority, continuation), at: place)
                    return .queued
                }
                switch outcome {
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Gives back `count` permits, waking as many waiters.
    public func release(_ count: Int = 1) {
        guard count > 0 else { return }
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.available += count
            let served = min(state.available, state.waiters.count)
            state.available -= served
            let woken = state.waiters.prefix(served).map(\.continuation)
            state.waiters.removeFirst(served)
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    private enum Outcome { case granted, queued, cancelled }

    /// Fails waiter `id` if it is still queued.
    private func cancel(_ id: UInt64) {
        let waiting = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiting?.resume(throwing: CancellationError())
    }
}
