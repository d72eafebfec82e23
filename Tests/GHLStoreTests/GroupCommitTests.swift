import Foundation
import GRDB
import Testing
@testable import GHLStore

/// Sync pages handed in while the writer is busy share its next transaction,
/// and a page that cannot be written fails alone. Serialized: while the file
/// is locked each store's writer waits on a thread, and two cores' worth of
/// such threads would leave none to the tasks that release it.
@Suite(.serialized) struct GroupCommitTests {
    /// Counts the write transactions committed on the connection it observes.
    private final class CommitCounter: TransactionObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var commits = 0
        var count: Int { lock.withLock { commits } }
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { lock.withLock { commits += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    private struct Listing {
        let source: String
        let job: Int64
        let lease: SourceLease

        func page(_ ids: [String]) -> Store.SyncPage {
            Store.SyncPage(entity: .contacts, sourceId: source, records: ids.map { record($0, ["email": "\($0)@x.test"]) },
                           outOfScope: [], seen: ids, cursor: "after \(ids.last!)", job: job,
                           progress: SyncJobProgress(records: ids.count, pages: 1, requests: 1), lease: lease)
        }
    }

    private func listings(_ db: TestDatabase, _ count: Int) async throws -> [Listing] {
        var listings: [Listing] = []
        for index in 0..<count {
            let source = try await db.addSource("s\(index)")
            let job = try await db.store.startSyncJob(sourceId: source, entity: .contacts, mode: .full, runId: "run")
            let lease = SourceLease(sourceId: source, owner: "elsewhere:1:run")
            #expect(try await db.store.acquire(lease) == nil)
            listings.append(Listing(source: source, job: job.id, lease: lease))
        }
        return listings
    }

    /// Commits `pages` at once while another connection (another process, say)
    /// holds the file's write lock; once all but the first wait, lets it go.
    /// Returns each page's outcome, in order, and the transactions the store committed.
    private func commitWhileTheFileIsLocked(_ db: TestDatabase, _ pages: [Store.SyncPage]) async throws
        -> (outcomes: [Result<Void, any Error>], transactions: Int) {
        let store = db.store
        let commits = CommitCounter()
        try await store.pool.base.writeWithoutTransaction { $0.add(transactionObserver: commits, extent: .observerLifetime) }
        defer { withExtendedLifetime(commits) {} }
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: store.path, configuration: configuration)
        try await other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        return try await withThrowingTaskGroup(of: (Int, Result<Void, any Error>).self) { group in
            func commit(_ index: Int) {
                group.addTask {
                    do {
                        try await store.commitSyncPage(pages[index])
                        return (index, .success(()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            // The first page's transaction waits for the lock; the others queue behind it.
            commit(0)
            while store.pageCommits.pages.writing < 1 { try await Task.sleep(for: .milliseconds(1)) }
            for index in pages.indices.dropFirst() { commit(index) }
            while store.pageCommits.pages.waiting < pages.count - 1 { try await Task.sleep(for: .milliseconds(1)) }
            try await other.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
            var outcomes = [Result<Void, any Error>?](repeating: nil, count: pages.count)
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return (outcomes.map { $0! }, commits.count)
        }
    }

    @Test func pagesThatWaitedForTheWriterShareOneTransaction() async throws {
        let db = try TestDatabase()
        let listings = try await listings(db, 12)
        let pages = listings.map { listing in listing.page((0..<50).map { "\(listing.source)-\($0)" }) }
        let (outcomes, transactions) = try await commitWhileTheFileIsLocked(db, pages)
        #expect(outcomes.allSatisfy { (try? $0.get()) != nil })
        // The first page alone, then the eleven that waited, together.
        #expect(transactions == 2)
        for listing in listings {
            #expect(try await db.store.liveCount(.contacts, sourceId: listing.source) == 50)
            #expect(try await db.store.syncCursor(sourceId: listing.source, entity: .contacts) == "after \(listing.source)-49")
        }
    }

    @Test func aGroupTakesPagesUpToItsRowLimitAndTheRestGoNext() async throws {
        let db = try TestDatabase()
        let listings = try await listings(db, 6)
        // Pages of 30% of the limit: the first alone, then the five that waited as three and two.
        let size = GroupCommit.maxRecords * 3 / 10
        let pages = listings.map { listing in listing.page((0..<size).map { "\(listing.source)-\($0)" }) }
        let (outcomes, transactions) = try await commitWhileTheFileIsLocked(db, pages)
        #expect(outcomes.allSatisfy { (try? $0.get()) != nil })
        #expect(transactions == 1 + 2)
        for listing in listings { #expect(try await db.store.liveCount(.contacts, sourceId: listing.source) == size) }
    }

    @Test func aPageThatCannotBeWrittenFailsAloneAndTheOthersOfItsGroupCommit() async throws {
        let db = try TestDatabase()
        var listings = try await listings(db, 6)
        // A source removed while it synced: its rows have no source to belong to.
        let removed = listings[3]
        listings[3] = Listing(source: "removed-source", job: removed.job, lease: SourceLease(sourceId: "removed-source", owner: "elsewhere:1:run"))
        let pages = listings.map { listing in listing.page((0..<20).map { "\(listing.source)-\($0)" }) }
        let outcomes = try await commitWhileTheFileIsLocked(db, pages).outcomes
        for (index, outcome) in outcomes.enumerated() {
            if index == 3 {
                #expect(throws: StoreError.unknownSource("removed-source")) { try outcome.get() }
            } else {
                #expect((try? outcome.get()) != nil)
                #expect(try await db.store.liveCount(.contacts, sourceId: listings[index].source) == 20)
            }
        }
        #expect(try await db.store.liveCount(.contacts, sourceId: "removed-source") == 0)
    }
}
