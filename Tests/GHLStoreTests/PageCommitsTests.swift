import Foundation
import GRDB
import Synchronization
import Testing
@testable import GHLStore

/// Group commit of sync pages (`PageCommits`): pages that wait for the
/// writer together share one transaction, each page in its own savepoint.
@Suite struct PageCommitsTests {
    /// Counts the transactions the writer commits.
    private final class CommitCounter: TransactionObserver, Sendable {
        let commits = Atomic<Int>(0)
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .relaxed) }
        func databaseDidRollback(_ db: Database) {}
    }

    /// Twenty pages of four sources handed in while the writer is busy: they
    /// commit in a group or two instead of twenty transactions; a page that
    /// fails (a column its entity lacks) fails alone, its rows and cursor
    /// rolled back, and the pages around it are stored whole.
    @Test func pagesWaitingTogetherShareATransactionAndAFailingPageFailsAlone() async throws {
        let db = try TestDatabase()
        var sources: [String] = []
        for index in 0..<4 { sources.append(try await db.addSource("s\(index)")) }
        let counter = CommitCounter()
        let store = db.store
        try await store.pool.writeWithoutTransaction { $0.add(transactionObserver: counter, extent: .databaseLifetime) }
        let lease = { (source: String) in SourceLease(sourceId: source, owner: "elsewhere:1:\(source)") }
        var jobs: [String: Int64] = [:]
        for source in sources {
            #expect(try await db.store.acquire(lease(source)) == nil)
            jobs[source] = try await db.store.startSyncJob(sourceId: source, entity: .contacts, mode: .full, runId: "r").id
        }
        func page(_ index: Int) -> Store.SyncPage {
            let source = sources[index % 4]
            let values: [String: StoreValue] = index == 13 ? ["no_such_column": "x"] : ["email": .text("p\(index)@x.test")]
            let records = (0..<50).map { EntityRecord(ghlId: "p\(index)-\($0)", values: values, raw: "{\"i\":\(index)}",
                                                      ghlCreatedAt: nil, ghlUpdatedAt: nil) }
            return Store.SyncPage(entity: .contacts, sourceId: source, records: records, outOfScope: [], seen: nil,
                                  cursor: "page \(index)", job: jobs[source]!, progress: SyncJobProgress(records: 50, pages: 1),
                                  lease: lease(source))
        }

        let pages = (0..<20).map(page)

        // Hold the writer until every page waits for it.
        let hold = DispatchSemaphore(value: 0)
        let held = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { try? store.pool.writeWithoutTransaction { _ in held.signal(); hold.wait() } }
        held.wait()
        let before = counter.commits.load(ordering: .relaxed)
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<20 {
                group.addTask {
                    do { try await store.commitSyncPage(pages[index]); return (index, true) } catch { return (index, false) }
                }
            }
            // Every page is queued (or the first one's drain waits for the writer) before the writer frees.
            try? await Task.sleep(for: .milliseconds(300))
            hold.signal()
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { !$0.value }.map(\.key) == [13])
        let commits = counter.commits.load(ordering: .relaxed) - before
        #expect(commits >= 1 && commits <= 2, "\(commits) transactions for 20 pages")
        let rows = try await db.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ghl_contacts WHERE deleted_at IS NULL") ?? 0
        }
        #expect(rows == 19 * 50)
        let cursor = try await db.store.syncCursor(sourceId: sources[1], entity: .contacts)
        #expect(["page 1", "page 5", "page 9", "page 17"].contains(cursor), "the failed page's cursor was rolled back")
        #expect(try await db.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ghl_contacts WHERE ghl_contact_id LIKE 'p13-%'")
        } == 0)
    }
}
