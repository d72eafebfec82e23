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

    /// Pages fetched before a failing one still arrive; then the stream fails.
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
