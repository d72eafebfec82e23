import Foundation
import Testing
@testable import GHLStore

/// The deadlock guard: a synchronous store read inside a task stops a debug build; outside one, and async, it runs.
@Suite struct StorePoolTests {
    #if DEBUG
    @Test func aSynchronousReadInsideATaskStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let db = try TestDatabase()
            _ = try db.store.pool.read { try Int.fetchOne($0, sql: "SELECT 1") }
        }
    }
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
}
