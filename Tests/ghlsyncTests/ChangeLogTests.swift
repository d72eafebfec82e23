import Foundation
import GHLRealtime
import GHLSandbox
import GHLServer
import GHLStore
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The change log in the file: what another process commits (`ghlsync sync`,
/// the sqlite3 CLI) reaches every `serve` on the file, once and in order, and
/// a client resumes across a restart of `serve`.
@Suite(.timeLimit(.minutes(5))) struct ChangeLogTests {
    @Test func aSyncInAnotherProcessReachesTwoServesOnceAndInOrder() async throws {
        let world = try await ChangeLogWorld(seed: 5)
        let first = try await world.server(), second = try await world.server()
        try await first.application(host: "127.0.0.1", port: 0, logger: world.logger) { _ in }.test(.live) { _ in
            try await second.application(host: "127.0.0.1", port: 0, logger: world.logger) { _ in }.test(.live) { _ in
                let subscriptions = [first, second].map { $0.realtime.bus.subscribe(to: world.topic) }
                let start = subscriptions[0].seqAtSubscribe
                #expect(subscriptions[1].seqAtSubscribe == start)
                try world.sync()
                let last = try world.lastSeq()
                #expect(last > start)
                for subscription in subscriptions {
                    let events = try await receive(subscription, count: Int(last - start))
                    #expect(events.map(\.seq) == Array(start + 1...last))
                    let inserted = events.filter { $0.table == "ghl_contacts" && $0.operation == .insert }.count
                    #expect(inserted == Int(try world.sqlite("SELECT count(*) FROM ghl_contacts")))
                    try await expectNothingMore(subscription)
                }
            }
        }
        await world.stop()
    }

    @Test func aClientResumesAcrossARestartWithWhatWasWrittenWhileServeWasDown() async throws {
        let world = try await ChangeLogWorld(seed: 6)
        let before = try await world.server()
        let seen = try await before.application(host: "127.0.0.1", port: 0, logger: world.logger) { _ in }.test(.live) { _ in
            let subscription = before.realtime.bus.subscribe(to: world.topic)
            try world.sync()
            let events = try await receive(subscription, count: Int(try world.lastSeq() - subscription.seqAtSubscribe))
            // The client saw only the first half before the server went away.
            return events[events.count / 2].seq
        }
        // While no server runs: an analyst's UPDATE and another sync. The
        // contact as it was, read from the log as a server would build it.
        let contact = try world.sqlite("SELECT ghl_contact_id FROM ghl_contacts WHERE id = (SELECT min(id) FROM ghl_contacts)")
        let logged = try #require(try Store(path: world.db).loggedChanges(of: world.sourceId, after: 0, through: world.lastSeq()))
        let asInserted = try #require(logged.first { $0.operation == .insert && $0.new?.contains(#""id":"\#(contact)""#) == true }?.new)
        _ = try world.sqlite("UPDATE ghl_contacts SET last_name = 'Analyst' WHERE id = (SELECT min(id) FROM ghl_contacts)")
        try world.sync()
        let last = try world.lastSeq()

        let after = try await world.server()
        try await after.application(host: "127.0.0.1", port: 0, logger: world.logger) { _ in }.test(.live) { _ in
            let subscription = after.realtime.bus.subscribe(to: world.topic, after: seen)
            #expect(subscription.resumed)
            let events = try await receive(subscription, count: Int(last - seen))
            #expect(events.map(\.seq) == Array(seen + 1...last))
            let updates = events.filter { $0.table == "ghl_contacts" && $0.operation == .update }
            #expect(updates.compactMap { row($0, "new")?["last_name"] as? String } == ["Analyst"])
            // The replayed UPDATE's `old` is the whole record before it, stored in the file with the change.
            let old = try #require(updates.first.flatMap { row($0, "old") })
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(asInserted.utf8)) as? [String: Any])
            #expect(NSDictionary(dictionary: old) == NSDictionary(dictionary: expected))
            #expect(old["last_name"] as? String != "Analyst")
            try await expectNothingMore(subscription)

            // With the server up, the sqlite3 CLI's UPDATE arrives live.
            _ = try world.sqlite("UPDATE ghl_contacts SET last_name = 'Live' WHERE id = (SELECT max(id) FROM ghl_contacts)")
            let live = try await receive(subscription, count: 1)
            #expect(live.map(\.operation) == [.update] && live.first?.seq == last + 1)
            #expect(live.first.flatMap { row($0, "new")?["last_name"] as? String } == "Live")
        }
        await world.stop()
    }

    @Test func aResumeOlderThanTheCacheReadsTheFile() async throws {
        let world = try await ChangeLogWorld(seed: 7)
        try world.sync()
        let store = try Store(path: world.db)
        let bus = TopicBus(configuration: .init(logCapacity: 5))
        try await bus.follow(store)
        let last = try world.lastSeq()
        guard case .events(let events) = bus.resume(topic: world.topic, after: 3) else {
            Issue.record("a resume within the file's log must not be told to refetch")
            return
        }
        #expect(events.map(\.seq) == Array(4...last))
        guard case .refetch = bus.resume(topic: world.topic, after: last + 1) else {
            Issue.record("a seq the log never handed out must be told to refetch")
            return
        }
        await world.stop()
    }

    @Test func pruningKeepsTheLogInItsBoundsAndOlderResumesRefetch() async throws {
        let world = try await ChangeLogWorld(seed: 8, counts: RecordCounts(contacts: 3_000, opportunities: 600, orders: 200,
                                                                          transactions: 200, reviews: 100))
        let store = try Store(path: world.db)
        try await store.setChangeLogBounds(ChangeLogBounds(maxAgeSeconds: 3600, maxRows: 100))
        let sync = try world.startSync()
        var prunedDuringSync = 0
        while sync.isRunning {
            await prunedDuringSync += try store.pruneChangeLog(batch: 50)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(sync.terminationStatus == 0)
        try await store.pruneChangeLog(batch: 50)
        #expect(prunedDuringSync > 0)
        #expect(try await store.changeLogStatus().rows == 100)
        let last = try world.lastSeq()
        #expect(try world.sqlite("SELECT min(seq) FROM ghl_change_log WHERE source_id = '\(world.sourceId)'") == "\(last - 99)")

        let server = try await world.server()
        try await server.application(host: "127.0.0.1", port: 0, logger: world.logger) { _ in }.test(.live) { _ in
            let old = server.realtime.bus.subscribe(to: world.topic, after: 1)
            #expect(await old.next()?.signal == .refetch)
            let recent = server.realtime.bus.subscribe(to: world.topic, after: last - 10)
            let events = try await receive(recent, count: 10)
            #expect(events.map(\.seq) == Array(last - 9...last))
        }
        let status = try CLIRunner.run(["status", "--db", world.db])
        #expect(status.stdout.contains("rows: 100 of at most 100; about 0 MiB of at most 256 MiB; kept 1 h"), "\(status.stdout)")
        await world.stop()
    }
}

/// A file with one source on an in-process sandbox, synced by the `ghlsync` binary.
/// Immutable once made (its directory is removed with it).
private struct ChangeLogWorld: @unchecked Sendable {
    let sandbox: GHLSandbox
    let directory: TemporaryDirectory
    let db: String
    let sourceId: String
    let environment: [String: String]
    let logger = Logger(label: "test")
    var topic: String { "ghl:\(sourceId)" }

    init(seed: UInt64, counts: RecordCounts = RecordCounts(contacts: 60, opportunities: 20, orders: 10, transactions: 10, reviews: 5))
        async throws {
        var settings = SandboxConfiguration()
        settings.seed = seed
        settings.counts = counts
        sandbox = try GHLSandbox(configuration: settings)
        let endpoint = try await sandbox.start()
        let location = endpoint.locations[0]
        directory = try TemporaryDirectory()
        db = directory.path("log.sqlite")
        environment = ["GHL_LOG_TOKEN": location.token]
        #expect(try CLIRunner.run(["init", "--db", db]).status == 0)
        let added = try CLIRunner.run(["sources", "add", "--db", db, "--name", "Log", "--location-id", location.locationID,
                                      "--api-base", endpoint.baseURL, "--token-env", "GHL_LOG_TOKEN"])
        sourceId = try #require(added.stdout.split(separator: "\n").last.map(String.init))
    }

    /// `serve` on the file, as `ghlsync serve` builds it.
    func server() async throws -> ProductServer {
        try await ProductServer(store: Store(path: db), environment: environment, logger: logger)
    }

    func sync() throws {
        let result = try CLIRunner.run(["sync", "--db", db, "--source", sourceId, "--mode", "full"], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    func startSync() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["sync", "--db", db, "--source", sourceId, "--mode", "full"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func sqlite(_ sql: String) throws -> String { try CLIRunner.sqlite3(db, sql) }

    /// The source's last seq, as the file's log numbered it.
    func lastSeq() throws -> Int64 {
        Int64(try sqlite("SELECT max(seq) FROM ghl_change_log WHERE source_id = '\(sourceId)'")) ?? 0
    }

    func stop() async { await sandbox.stop() }
}

/// The next `count` events; a signal instead of events fails.
private func receive(_ subscription: BusSubscription, count: Int) async throws -> [TopicEvent] {
    var events: [TopicEvent] = []
    while events.count < count {
        let delivery = try #require(await subscription.next())
        if let signal = delivery.signal { throw CLIRunner.CLIError(message: "got \(signal) after \(events.count) events") }
        events += delivery.events
    }
    return events
}

/// Nothing arrives twice: after a few of the tail's polls the queue is still empty.
private func expectNothingMore(_ subscription: BusSubscription) async throws {
    try await Task.sleep(for: .milliseconds(300))
    #expect(subscription.take() == nil)
}

private func row(_ event: TopicEvent, _ side: String) -> [String: Any]? {
    let payload = try? JSONSerialization.jsonObject(with: Data(event.payload.readableBytesView)) as? [String: Any]
    return payload?[side] as? [String: Any]
}
