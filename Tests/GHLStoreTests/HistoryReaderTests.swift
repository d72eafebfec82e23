import Foundation
import Testing
@testable import GHLStore

/// The realtime bus's history reads are synchronous and run on cooperative
/// threads. On the pool's readers, many at once beside async reads hung the
/// process (`bench realtime --restart`: every cooperative thread waited for a
/// reader held by an async read whose block waited for a cooperative thread).
@Suite struct HistoryReaderTests {
    @Test func historyReadsInTasksBesideAsyncReadsAllFinish() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        try await db.store.upsert(.contacts, sourceId: source, records: (1...40).map { record("c\($0)", ["email": "\($0)@x.test"]) })
        let store = db.store
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<400 {
                if index.isMultiple(of: 2) {
                    group.addTask { try store.loggedChanges(of: source, after: 0, through: 40)?.count ?? -1 }
                } else {
                    group.addTask { try await store.sources().count }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers.count == 400)
        #expect(answers.filter { $0 == 40 }.count == 200)
        #expect(answers.filter { $0 == 1 }.count == 200)
    }

    @Test func aHistoryReadSeesWhatTheWriterCommitted() async throws {
        let db = try TestDatabase()
        let source = try await db.addSource("a")
        #expect(try db.store.loggedChanges(of: source, after: 0, through: 1)?.count == 1)
        try await db.store.upsert(.contacts, sourceId: source, records: [record("c1", ["email": "one@x.test"])])
        let events = try #require(try db.store.loggedChanges(of: source, after: 1, through: 2))
        #expect(events.map(\.table) == ["ghl_contacts"])
    }
}
