import Dispatch
import GHLStore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// The realtime bus's history on PostgreSQL: a topic's changes read back
/// from `ghlsync_changes` for a resume older than the bus's in-memory cache,
/// as the file's change log serves them (`Store.loggedChanges`), within the
/// table's pruning horizon.
///
/// The bus asks synchronously (from a join's task, or a socket's event loop
/// taking the next chunk of a long resume; never under its own lock), so the
/// read runs on a connection and an event loop thread of its own while the
/// caller waits: nothing the caller's threads run is needed for it to finish,
/// so it cannot deadlock them, as the file's reader of its own cannot.
/// It holds no thread and no connection until its first read, so one built
/// for a server that never runs (or fails to start) costs nothing; `close()`
/// releases both, and a read after it fails at once.
public final class PostgresChangeHistory: Sendable {
    /// How long a read may take before the caller gives up (and the client is told to refetch).
    static let timeout: DispatchTimeInterval = .seconds(10)

    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    /// Held while a read runs, so reads take turns.
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// Its event loop, started on first use.
        var group: MultiThreadedEventLoopGroup?
        /// Opened on first use and again after a failure.
        var connection: PostgresConnection?
        var closed = false
    }

    public init(store: PostgresStore) throws {
        configuration = try store.url.connectionConfiguration()
        logger = store.logger
    }

    /// The changes of `sourceId` with seqs in `after+1 ... through`, in order,
    /// at most `limit` of them, or nil when the table no longer holds the first
    /// (pruned): the bus's `History`.
    public func changes(of sourceId: String, after: Int64, through: Int64, limit: Int?) throws -> [ChangeEvent]? {
        guard after < through else { return [] }
        let sql = PostgresChangeFeed.select(where: "source_id = $1 AND seq > $2 AND seq <= $3", orderBy: "seq", limit: limit)
        return try state.withLockedValue { state in
            guard !state.closed else { throw PostgresChangeHistoryClosed() }
            do {
                let open = try state.connection ?? connect(&state)
                let result = try Self.wait(open.query(sql, [PostgresData(string: sourceId), PostgresData(int64: after),
                                                            PostgresData(int64: through)]))
                let events = try result.rows.compactMap(PostgresChangeFeed.event)
                return events.first?.seq == after + 1 ? events : nil
            } catch {
                state.connection?.close().whenComplete { _ in }
                state.connection = nil
                throw error
            }
        }
    }

    /// Opens the state's connection on the history's event loop (started here the first time).
    private func connect(_ state: inout State) throws -> PostgresConnection {
        let group = state.group ?? MultiThreadedEventLoopGroup(numberOfThreads: 1)
        state.group = group
        let connecting = PostgresConnection.connect(on: group.next(), configuration: configuration, id: 2, logger: logger)
        do {
            let open = try Self.wait(connecting)
            state.connection = open
            return open
        } catch {
            // Given up on (timed out), it may still open later: then it is closed at once.
            connecting.whenSuccess { $0.close().whenComplete { _ in } }
            throw error
        }
    }

    /// Whether it holds an event loop thread or a connection.
    var holdsResources: Bool { state.withLockedValue { $0.group != nil || $0.connection != nil } }

    /// Closes the connection and stops the event loop; later reads fail at once.
    public func close() async {
        let (open, group) = state.withLockedValue { state in
            defer { (state.connection, state.group, state.closed) = (nil, nil, true) }
            return (state.connection, state.group)
        }
        try? await open?.close()
        try? await group?.shutdownGracefully()
    }

    /// Blocks until `future` completes on the history's own event loop.
    private static func wait<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<T, any Error>?>(nil)
        future.whenComplete { result in
            outcome.withLockedValue { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success, let result = outcome.withLockedValue({ $0 }) else {
            throw PostgresChangeHistoryTimeout()
        }
        return try result.get()
    }
}

/// A history read that did not finish within `PostgresChangeHistory.timeout`.
struct PostgresChangeHistoryTimeout: Error, CustomStringConvertible {
    var description: String { "reading ghlsync_changes took longer than \(PostgresChangeHistory.timeout)" }
}

/// A history read after `PostgresChangeHistory.close()`.
struct PostgresChangeHistoryClosed: Error, CustomStringConvertible {
    var description: String { "the change history is closed" }
}
