import Foundation
import GHLStoreTestSupport
import GRDB
import Testing
@testable import GHLStore

/// New files take `Store.pageSize`; files made before keep theirs, and the
/// WAL's limits hold in bytes either way.
@Suite struct PageSizeTests {
    @Test func aNewFileTakesTheStoresPageSizeInWALMode() async throws {
        let temp = try TempStore("page-size")
        defer { temp.remove() }
        let (pageSize, mode) = try await temp.store.pool.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        #expect(Store.pageSize == 8192)
        #expect(pageSize == Store.pageSize)
        #expect(mode == "wal")
    }

    /// A file of 4 KiB pages (an earlier ghlsync's, or one an analyst made) opens, migrates and keeps its pages.
    @Test func anExistingFileKeepsItsPageSize() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-page-size-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        try await DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = 4096")
            try db.execute(sql: "CREATE TABLE analyst_notes (note TEXT); INSERT INTO analyst_notes VALUES ('kept')")
        }
        let store = try Store(path: path)
        let source = try await store.addSource(name: "Alpha", locationId: "loc-alpha", apiBase: Source.defaultAPIBase,
                                               tokenEnv: "ALPHA_TOKEN", tokenFile: nil, currency: "USD")
        try await store.upsert(.contacts, sourceId: source.id, records: [
            EntityRecord(ghlId: "c1", values: ["first_name": .text("Ana")], raw: #"{"id":"c1"}"#,
                         ghlCreatedAt: "2024-05-01T10:00:00.000Z", ghlUpdatedAt: "2024-05-01T10:00:00.000Z"),
        ])
        let (pageSize, note, contacts) = try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size"), try String.fetchOne(db, sql: "SELECT note FROM analyst_notes"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM ghl_contacts"))
        }
        #expect(pageSize == 4096)
        #expect(note == "kept")
        #expect(contacts == 1)
    }

    /// The checkpointer's limits are the same bytes of WAL for every page size.
    @Test(arguments: [4096, 8192, 16384])
    func walLimitsAreBytesWhateverThePageSize(pageSize: Int) {
        let checkpointer = Checkpointer(path: "/nonexistent", pageSize: pageSize)
        #expect(Int(checkpointer.threshold) * pageSize == Checkpointer.thresholdBytes)
        #expect(Int(checkpointer.truncateThreshold) * pageSize == Checkpointer.truncateThresholdBytes)
        #expect(Int(checkpointer.hardLimit) * pageSize == Checkpointer.hardLimitBytes)
        #expect(Checkpointer.truncateThresholdBytes == 16_384_000 && Checkpointer.hardLimitBytes == 32_768_000)
    }
}
