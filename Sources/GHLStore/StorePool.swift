import GRDB

/// The store's one way into its `DatabasePool`: a synchronous read refuses to run inside a Swift task.
///
/// A synchronous GRDB read or write blocks its thread until a connection is
/// free. On Swift's cooperative pool (one thread per core, two on a small
/// machine) that thread may be the one a task holding the connection needs to
/// finish, and the process deadlocks. Async callers use the `async` forms,
/// which suspend instead. The one synchronous form (the change relay's reads,
/// on a thread of their own) asserts, in debug builds, that no task runs it,
/// so the tests catch a wrong caller; there is no synchronous write.
struct StorePool: Sendable {
    /// GRDB's pool itself: for opening the file and tests' own SQL.
    let base: DatabasePool

    func read<T>(_ value: (Database) throws -> T) throws -> T {
        Self.assertOutsideTask()
        return try base.read(value)
    }

    func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        try await base.read(value)
    }

    /// A short read through GRDB's callback API: a hop onto the pool's queue,
    /// one onto the reader's, and the task resumes. GRDB's async `read` makes
    /// four (onto each queue's actor and back to the task each time), and each
    /// is a thread wake-up, which a loaded machine makes slow: for the store
    /// read every REST request waits on (its access check). Task cancellation
    /// does not interrupt it, so it is for a few point reads only.
    func shortRead<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            base.asyncRead { database in
                continuation.resume(with: Result { try value(database.get()) })
            }
        }
    }

    func unsafeRead<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        try await base.unsafeRead(value)
    }

    func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        try await base.write(updates)
    }

    func writeWithoutTransaction<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        try await base.writeWithoutTransaction(updates)
    }

    private static func assertOutsideTask() {
        assert(withUnsafeCurrentTask { $0 == nil },
               "a synchronous store read or write inside a Swift task can deadlock the cooperative pool: use the async store API")
    }
}
