import Foundation
import GHLSandbox
import Synchronization
import Testing
@testable import GHLAPI

/// `pageBatches` against the sandbox over real HTTP.
@Suite(.serialized) struct PageBatchTests {
    /// A consumer slower than GHL gets the pages fetched meanwhile together,
    /// each page once and in order, prepared in the lookahead, and never more
    /// than `lookahead` pages are fetched ahead of it.
    @Test func aSlowConsumerGetsWhatArrivedMeanwhileInOneBatch() async throws {
        try await SandboxClientTests.withSandbox(contacts: 5_000) { sandbox, location, client in
            let requests = { sandbox.requestCount(location: location.locationID).requests }
            let prepared = Shared(0)
            let batches = client.pageBatches(.contacts, pageSize: 500, lookahead: 4) { page in
                prepared.withLock { $0 += 1 }
                return (page.index, page.records.map(\.id))
            }
            var indexes: [Int] = []
            var ids: [String] = []
            var sizes: [Int] = []
            for try await batch in batches {
                sizes.append(batch.count)
                indexes += batch.map(\.0)
                ids += batch.flatMap(\.1)
                #expect(requests() <= indexes.count + 4)
                // Stand in for a slow write: wait until the lookahead is full (or the listing fetched).
                let target = min(indexes.count + 4, 10)
                while prepared.withLock({ $0 }) < target { try await Task.sleep(for: .milliseconds(1)) }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(indexes == Array(0..<10))
            #expect(ids.count == 5_000 && Set(ids).count == 5_000)
            #expect(sizes.allSatisfy { $0 <= 4 })
            #expect(sizes.max() == 4)
            #expect(requests() == 10)
        }
    }

    /// Listings sharing a page budget hold no more pages between them than
    /// its permits, slow consumers or not, and give every permit back:
    /// released by the consumer once stored, or by the stream when it is
    /// dropped with pages fetched but not handed out.
    @Test func listingsSharingABudgetHoldNoMoreThanItsPermits() async throws {
        try await SandboxClientTests.withSandbox(contacts: 5_000, others: 1_000) { sandbox, location, client in
            let budget = PageBudget(permits: 3)
            let most = Shared(0)
            let prepare: @Sendable (GHLPage) -> Int = { page in
                most.withLock { $0 = max($0, budget.inUse) }
                return page.records.count
            }
            let records = try await withThrowingTaskGroup(of: Int.self) { group in
                for resource in [GHLResource.contacts, .orders, .transactions, .reviews] {
                    group.addTask {
                        var records = 0
                        for try await batch in client.pageBatches(resource, pageSize: 100, lookahead: 4, budget: budget,
                                                                  prepare: prepare) {
                            most.withLock { $0 = max($0, budget.inUse) }
                            try await Task.sleep(for: .milliseconds(2))
                            records += batch.reduce(0, +)
                            budget.release(batch.count)
                        }
                        return records
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(records == 8_000)
            #expect(most.withLock { $0 } <= 3)
            #expect(most.withLock { $0 } >= 2, "the listings did fetch ahead together")
            #expect(budget.inUse == 0)

            // A consumer that stops after its first batch: the pages fetched ahead come back with the dropped stream.
            for try await batch in client.pageBatches(.contacts, pageSize: 100, lookahead: 4, budget: budget, prepare: { $0 }) {
                while budget.inUse < 3 { try await Task.sleep(for: .milliseconds(1)) }
                budget.release(batch.count)
                break
            }
            for _ in 0..<1_000 where budget.inUse > 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(budget.inUse == 0)
        }
    }

    /// Pages fetched before a failing one still arrive; then the stream fails.
    /// Offset listings (orders, payments, reviews) fetch the pages ahead at
    /// once once the first page gave the total, since each page's offset
    /// follows from the one before; cursor listings cannot. Either way every
    /// record comes once, in order, in the fewest requests.
    @Test func offsetPagesAheadAreFetchedTogetherCursorPagesOneAfterTheOther() async throws {
        try await SandboxClientTests.withSandbox(contacts: 1_000, others: 1_000) { sandbox, location, plain in
            for (resource, entity, overlaps) in [(GHLResource.orders, SandboxEntity.orders, true), (.contacts, .contacts, false)] {
                let (client, transport) = plain.recorded(latency: .milliseconds(20))
                var ids: [String] = []
                for try await batch in client.pageBatches(resource, pageSize: 100, lookahead: 4, prepare: { $0.records.map(\.id) }) {
                    ids += batch.joined()
                    try await Task.sleep(for: .milliseconds(30))
                }
                #expect(ids == (try SandboxClientTests.ids(sandbox, entity, location.locationID)), "\(resource)")
                #expect(transport.requests.count == 10, "\(resource)")
                if overlaps {
                    #expect(transport.mostInFlight >= 3, "\(resource)")
                } else {
                    #expect(transport.mostInFlight == 1, "\(resource)")
                }
            }
        }
    }

    /// A freed permit goes to the waiter with the highest priority (the
    /// listing with the most pages left), equal ones first come, first served.
    @Test func permitsGoToTheHighestPriorityFirst() async throws {
        let budget = PageBudget(permits: 1)
        try await budget.acquire()
        let served = Shared<[String]>([])
        let waiters = [("orders", 3), ("contacts", 90), ("reviews", 3), ("new listing", Int.max), ("opportunities", 20)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (queued, (name, priority)) in waiters.enumerated() {
                group.addTask {
                    try await budget.acquire(priority: priority)
                    served.withLock { $0.append(name) }
                    budget.release()
                }
                // Each waits in the queue before the next comes.
                while budget.waiting < queued + 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
            budget.release()
            try await group.waitForAll()
        }
        #expect(served.withLock { $0 } == ["new listing", "contacts", "opportunities", "orders", "reviews"])
        #expect(budget.inUse == 0)
    }

    @Test func aFailureComesAfterThePagesBeforeIt() async throws {
        try await SandboxClientTests.withSandbox(contacts: 1_500) { sandbox, location, client in
            try sandbox.addFault(FaultRule(.unprocessableEntity, next: 1, after: 2))
            var received = 0
            await #expect(throws: GHLAPIError.self) {
                for try await batch in client.pageBatches(.contacts, lookahead: 4, prepare: { $0 }) {
                    received += batch.reduce(0) { $0 + $1.records.count }
                }
            }
            #expect(received == 1_000)
        }
    }
}
