import GRDB

/// The store's one way into its `DatabasePool`: synchronous reads and writes refuse to run inside a Swift task.
///
/// A synchronous GRDB read or write blocks its thread until a connection is
/// free. On Swift's cooperative pool (one thread per core, two on a small
/// machine) that thread may be the one a task holding the connection needs to
/// finish, and the process deadlocks. Async callers use the `async` forms,
/// which suspend instead; the synchronous forms assert, in debug builds, that
/// no task is running them, so the tests catch a wrong caller.
struct StorePool: Sendable {
    let base: DatabasePool

    func read<T>(_ value: (Database) throws -> T) throws -> T {
        Self.assertOutsideTask()
        return try base.read(value)
    }

    func unsafeRead<T>(_ value: (Database) throws -> T) throws -> T {
        Self.assertOutsideTask()
        return try base.unsafeRead(value)
    }

    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        Self.assertOutsideTask()
        return try base.write(updates)
    }

    func writeWithoutTransaction<T>(_ updates: (Database) throws -> T) throws -> T {
        Self.assertOutsideTask()
        return try base.writeWithoutTransaction(updates)
    }

    func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        try await base.read(value)
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
