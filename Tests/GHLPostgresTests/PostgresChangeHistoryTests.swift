import Foundation
@testable import GHLPostgres
import Testing

/// What the realtime bus's history on PostgreSQL holds: nothing until a
/// resume reads it, nothing after `close()`, after which reads fail at once.
@Suite struct PostgresChangeHistoryTests {
    @Test func itHoldsNothingUntilItReadsAndAfterCloseReadsFailAtOnce() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let history = try PostgresChangeHistory(store: fixture.store)
            // Built (as a server that fails to start builds it): no thread, no connection.
            #expect(!history.holdsResources)
            // Source A's first change is its row's INSERT.
            #expect(try history.changes(of: fixture.sourceA, after: 0, through: 1, limit: nil)?.map(\.seq) == [1])
            #expect(history.holdsResources)
            await history.close()
            #expect(!history.holdsResources)
            // Its connection is closed.
            #expect(try await fixture.backendsSettled(runningQueryLike: "%seq > $2%") == 0)
            // A read after close is refused, not scheduled on the stopped event loop (and waited for).
            #expect(throws: PostgresChangeHistoryClosed.self) {
                try history.changes(of: fixture.sourceA, after: 0, through: 1, limit: nil)
            }
        }
    }
}
