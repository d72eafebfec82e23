import Foundation
import GHLStoreTestSupport
import GRDB
import Testing
@testable import GHLStore

/// The deadlock guard: a synchronous store read inside a task stops a debug build; outside one, and async, it runs.
/// The short read (a request's access check) answers, fails as its SQL does, and queues for a reader.
@Suite struct StorePoolTests {
    #if DEBUG
    @Test func aSynchronousReadInsideATaskStopsTheProcess() async throws {
        await #expect(processExitsWith: .failure) {
            let temp = try TempStore(Self.exitTestLabel)
            _ = try temp.store.pool.read { try Int.fetchOne($0, sql: "SELECT 1") }
        }
        // The stopped process could not remove its file; no other test uses this label.
        try TempStore.removeAll(Self.exitTestLabel)
    }

    static let exitTestLabel = "store-pool-exit-test"
    #endif

    @Test func readsOutsideATaskAndAsyncReadsRun() async throws {
        let db = try TestDatabase()
        let store = db.store
        let onThread = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int?, Error>) in
            Thread { continuation.resume(with: Result { try store.pool.read { try Int.fetchOne($0, sql: "SELECT 1") } }) }.start()
        }
        #expect(onThread == 1)
        #expect(try await store.pool.read { try Int.fetchOne($0, sql: "SELECT 2") } == 2)
    }

    @Test func shortReadsAnswerFailAsTheirSQLAndWaitForAReader() async throws {
        let db = try TestDatabase()
        let store = db.store
        #expect(try await store.pool.shortRead { try Int.fetchOne($0, sql: "SELECT 3") } == 3)
        await #expect(throws: DatabaseError.self) { try await store.pool.shortRead { try Int.fetchOne($0, sql: "SELECT x FROM nowhere") } }
        await #expect(throws: DatabaseError.self, "a reader cannot write") {
            try await store.pool.shortRead { try $0.execute(sql: "CREATE TABLE t (x)") }
        }
        // Ten times as many at once as the pool has readers: each waits its turn.
        let count = 10 * store.pool.base.configuration.maximumReaderCount
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 1...count {
                group.addTask { try await store.pool.shortRead { try Int.fetchOne($0, sql: "SELECT ?", arguments: [i]) ?? 0 } }
            }
            return try await group.reduce(0, +)
        }
        #expect(sum == count * (count + 1) / 2)
    }
}
