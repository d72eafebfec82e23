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
    /// commit in a group or two instead of twenty transactions. In a second
    /// such group one page fails (a column its entity lacks): it fails alone,
    /// its rows and cursor absent, and the pages around it are stored whole.
    @Test func pagesWaitingTogetherShareATransactionAndAFailingPageFailsAlone() async throws {
        let db = try TestDatabase()
        let sources = try (0..<4).map { try db.addSource("s\($0)") }
        let counter = CommitCounter()
        let store = db.store
        try await store.pool.writeWithoutTransaction { $0.add(transactionObserver: counter, extent: .databaseLifetime) }
        let lease = { (source: String) in SourceLease(sourceId: source, owner: "elsewhere:1:\(source)") }
        var jobs: [String: Int64] = [:]
        for source in sources {
            #expect(try db.store.acquire(lease(source)) == nil)
            jobs[source] = try db.store.startSyncJob(sourceId: source, entity: .contacts, mode: .full, runId: "r").id
        }
        func page(_ index: Int) -> Store.SyncPage {
            let source = sources[index % 4]
            let values: [String: StoreValue] = index == 33 ? ["no_such_column": "x"] : ["email": .text("p\(index)@x.test")]
            let records = (0..<50).map { EntityRecord(ghlId: "p\(index)-\($0)", values: values, raw: "{\"i\":\(index)}",
                                                      ghlCreatedAt: nil, ghlUpdatedAt: nil) }
            return Store.SyncPage(entity: .contacts, sourceId: source, records: records, outOfScope: [], seen: nil,
                                  cursor: "page \(index)", job: jobs[source]!, progress: SyncJobProgress(records: 50, pages: 1),
                                  lease: lease(source))
        }
        /// Commits `pages` at once while the writer is held, and returns which failed and how many transactions committed.
        func commitTogether(_ pages: [Store.SyncPage]) async -> (failed: [String], commits: Int) {
            let hold = DispatchSemaphore(value: 0)
            let held = DispatchSemaphore(value: 0)
            DispatchQueue.global().async { try? store.pool.writeWithoutTransaction { _ in held.signal(); hold.wait() } }
            held.wait()
            let before = counter.commits.load(ordering: .relaxed)
            let failed = await withTaskGroup(of: String?.self) { group in
                for page in pages {
                    group.addTask {
                        do { try await store.commitSyncPage(page); return nil } catch { return page.cursor }
                    }
                }
                // Every page is queued (or the first one's drain waits for the writer) before the writer frees.
                try? await Task.sleep(for: .milliseconds(300))
                hold.signal()
                return await group.reduce(into: [String]()) { if let cursor = $1 { $0.append(cursor) } }
            }
            return (failed, counter.commits.load(ordering: .relaxed) - before)
        }

        let first = await commitTogether((0..<20).map(page))
        #expect(first.failed.isEmpty)
        // What was queued when the first drain began, then the rest.
        #expect(first.commits >= 1 && first.commits <= 2, "\(first.commits) transactions for 20 pages")

        let second = await commitTogether((20..<40).map(page))
        #expect(second.failed == ["page 33"])
        let rows = try await db.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ghl_contacts WHERE deleted_at IS NULL") ?? 0
        }
        #expect(rows == 39 * 50)
        let cursor = try await db.store.syncCursor(sourceId: sources[1], entity: .contacts)
        #expect(["page 21", "page 25", "page 29", "page 37"].contains(cursor), "the failed page's cursor was not kept")
        #expect(try await db.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ghl_contacts WHERE ghl_contact_id LIKE 'p33-%'")
        } == 0)
    }
}
