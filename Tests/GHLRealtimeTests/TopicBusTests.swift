import Foundation
import GHLPostgresTestSupport
import GHLRealtime
@testable import GHLStore
import Synchronization
import Testing

/// The bus as the server feeds it; the tests taking an `Engine` run over the
/// file and over PostgreSQL alike.
@Suite(.timeLimit(.minutes(3))) struct TopicBusTests {
    /// Drains a subscription until `count` events arrived (or a signal came).
    func collect(_ subscription: BusSubscription, count: Int) async -> (events: [TopicEvent], signals: [Delivery.Signal]) {
        var events: [TopicEvent] = []
        var signals: [Delivery.Signal] = []
        while events.count < count, let delivery = await subscription.next() {
            if let signal = delivery.signal { signals.append(signal) }
            events += delivery.events
        }
        return (events, signals)
    }

    @Test(arguments: Engine.allCases) func committedChangesArriveInCommitOrderExactlyOnce(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine)
        defer { fixture.remove() }
        let subscription = fixture.bus.subscribe(to: "ghl:\(fixture.sourceA)")
        let twin = fixture.bus.subscribe(to: "ghl:\(fixture.sourceA)")
        let other = fixture.bus.subscribe(to: "ghl:\(fixture.sourceB)")
        // 40 commits of 10 inserts, then 20 commits updating 5 each, interleaved with source B.
        for commit in 0..<40 {
            try await fixture.upsert(fixture.sourceA, (0..<10).map { ("c\(commit * 10 + $0)", "v0") })
            try await fixture.upsert(fixture.sourceB, [("b\(commit)", "v0")])
        }
        for commit in 0..<20 {
            try await fixture.upsert(fixture.sourceA, (0..<5).map { ("c\(commit * 5 + $0)", "v1") })
        }
        let (events, signals) = await collect(subscription, count: 500)
        #expect(signals.isEmpty)
        let changes = try events.map(ReceivedChange.init)
        #expect(changes.count == 500)
        #expect(changes.prefix(400).map(\.new?.ghl_contact_id) == (0..<400).map { "c\($0)" })
        #expect(changes.prefix(400).allSatisfy { $0.operation == "INSERT" && $0.old == nil })
        #expect(changes.suffix(100).map(\.new?.ghl_contact_id) == (0..<100).map { "c\($0)" })
        #expect(changes.suffix(100).allSatisfy {
            $0.operation == "UPDATE" && $0.old?.raw?.firstName == "v0" && $0.new?.raw?.firstName == "v1"
        })
        #expect(changes.allSatisfy { $0.source_id == fixture.sourceA && $0.table == "ghl_contacts" })
        // Seqs are A's own, consecutive: B's 40 interleaved commits take none of them.
        let first = try #require(changes.first?.seq)
        #expect(changes.map(\.seq) == Array(first..<first + 500))
        #expect(subscription.pendingCount == 0)
        // A second subscriber of the same source gets the same events, in the same order, each once.
        #expect(await collect(twin, count: 500).events.map(\.seq) == changes.map(\.seq))
        let others = await collect(other, count: 40).events
        #expect(others.count == 40 && others.allSatisfy { $0.topic == "ghl:\(fixture.sourceB)" })
        subscription.cancel()
        twin.cancel()
        other.cancel()
        #expect(fixture.bus.stats.subscribers == 0)
    }

    @Test func rollbacksAndNoOpUpsertsPublishNothing() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await fixture.upsert(fixture.sourceA, [("c1", "same")])
        try await fixture.store.pollChanges()
        let topic = "ghl:\(fixture.sourceA)"
        let before = fixture.bus.lastSeq(of: topic)
        let subscription = fixture.bus.subscribe(to: "ghl:\(fixture.sourceA)")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try fixture.store.pool.base.write { db in
                try Store.upsert(.contacts, sourceId: fixture.sourceA, records: [StoreFixture.contact("c2", name: "x")], in: db)
                throw Abort()
            }
        }
        // The same record again writes nothing.
        try await fixture.upsert(fixture.sourceA, [("c1", "same")])
        try await fixture.store.pollChanges()
        #expect(fixture.bus.lastSeq(of: topic) == before)
        try await fixture.upsert(fixture.sourceA, [("c3", "marker")])
        let events = try await collect(subscription, count: 1).events.map(ReceivedChange.init)
        #expect(events.map(\.new?.ghl_contact_id) == ["c3"])
        #expect(events.first?.seq == before + 1)
    }

    /// A resume of more events than the queue holds (and than the cache
    /// keeps) streams them from the database's log in chunks, then the live events.
    @Test(arguments: Engine.allCases) func aResumeBeyondTheQueueStreamsFromTheLogInChunks(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine, bus: TopicBus(configuration: .init(logCapacity: 16, subscriberQueueLimit: 10), firstSeq: 1))
        defer { fixture.remove() }
        let topic = "ghl:\(fixture.sourceA)"
        try await fixture.settle()
        let start = fixture.bus.lastSeq(of: topic)
        for commit in 0..<30 {
            try await fixture.upsert(fixture.sourceA, (0..<100).map { ("c\(commit * 100 + $0)", "v0") })
        }
        try await fixture.settle()
        let subscription = fixture.bus.subscribe(to: topic, after: start)
        #expect(subscription.resumed)
        try await fixture.upsert(fixture.sourceA, [("live", "v0")])
        let (events, signals) = await collect(subscription, count: 3_001)
        #expect(signals.isEmpty)
        #expect(events.map(\.seq) == Array(start + 1...start + 3_001))
        let changes = try events.map(ReceivedChange.init)
        #expect(changes.map(\.new?.ghl_contact_id) == (0..<3_000).map { "c\($0)" } + ["live"])
        subscription.cancel()
    }

    /// A resume older than the cache but within the log's pruning horizon is
    /// replayed from the log, each missed event once; past the horizon the
    /// client is told to refetch.
    @Test(arguments: Engine.allCases) func aResumeOlderThanTheCacheReplaysFromTheLogUntilItIsPruned(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine, bus: TopicBus(configuration: .init(logCapacity: 8), firstSeq: 1))
        defer { fixture.remove() }
        let topic = "ghl:\(fixture.sourceA)"
        try await fixture.settle()
        let start = fixture.bus.lastSeq(of: topic)
        for commit in 0..<10 {
            try await fixture.upsert(fixture.sourceA, (0..<10).map { ("c\(commit * 10 + $0)", "v0") })
        }
        try await fixture.settle()
        #expect(fixture.bus.lastSeq(of: topic) == start + 100)
        // 100 missed, the cache holding the last 8: the other 92 come from the log.
        let resumed = fixture.bus.subscribe(to: topic, after: start)
        #expect(resumed.resumed)
        let (events, signals) = await collect(resumed, count: 100)
        #expect(signals.isEmpty)
        #expect(try events.map(ReceivedChange.init).map(\.new?.ghl_contact_id) == (0..<100).map { "c\($0)" })
        #expect(events.map(\.seq) == Array(start + 1...start + 100))
        resumed.cancel()
        if case .events(let missed) = fixture.bus.resume(topic: topic, after: start + 50) {
            #expect(missed.map(\.seq) == Array(start + 51...start + 100))
        } else {
            Issue.record("a resume within the log was not replayed")
        }

        // The log pruned to its newest 20 rows (of both sources): a resume from before them refetches,
        // one within them still replays.
        try await fixture.pruneChangeLog(keeping: 20)
        let stale = fixture.bus.subscribe(to: topic, after: start + 50)
        #expect(!stale.resumed)
        #expect(await stale.next()?.signal == .refetch)
        stale.cancel()
        let recent = fixture.bus.subscribe(to: topic, after: start + 85)
        #expect(recent.resumed)
        #expect(await collect(recent, count: 15).events.map(\.seq) == Array(start + 86...start + 100))
        recent.cancel()
    }

    @Test func overflowDropsTheQueueAndSignalsResyncWithoutBlockingThePublisher() async throws {
        let bus = TopicBus(configuration: .init(subscriberQueueLimit: 10), firstSeq: 1)
        let slow = bus.subscribe(to: "ghl:s")
        let fast = bus.subscribe(to: "ghl:s")
        var fastSeqs: [Int64] = []
        for index in 1...25 {
            // The slow subscriber never reads; publish returns regardless.
            bus.publish([change(source: "s", id: "c\(index)")])
            fastSeqs += await fast.next()?.events.map(\.seq) ?? []
        }
        #expect(fastSeqs == Array(1...25))
        #expect(bus.stats.overflows == 2)
        // 1-10 queued; 11 overflowed and starts the queue again with 12-20;
        // 21 overflowed and starts it with 22-25: the latest commits follow the signal.
        let delivery = try #require(await slow.next())
        #expect(delivery.signal == .resync)
        #expect(delivery.events.map(\.seq) == [21, 22, 23, 24, 25])
        slow.cancel()
        #expect(await slow.next() == nil)
        fast.cancel()
    }

    @Test func resumeFromSeqAndRefetchPastTheHorizon() async throws {
        let bus = TopicBus(configuration: .init(logCapacity: 8), firstSeq: 100)
        #expect(bus.lastSeq(of: "ghl:a") == 99)
        for index in 0..<6 {
            bus.publish([change(source: "a", id: "a\(index)"), change(source: "b", id: "b\(index)")])
        }
        // Each topic numbers its own: a and b both 100...105; the log keeps the last 8, 102...105 of each.
        #expect(bus.lastSeq(of: "ghl:a") == 105 && bus.lastSeq(of: "ghl:b") == 105)
        #expect(bus.stats.loggedEvents == 8)
        guard case .events(let missed) = bus.resume(topic: "ghl:a", after: 103) else {
            Issue.record("expected events"); return
        }
        #expect(missed.map(\.seq) == [104, 105])
        guard case .events(let fromHorizon) = bus.resume(topic: "ghl:b", after: 101) else {
            Issue.record("expected events"); return
        }
        #expect(fromHorizon.map(\.seq) == [102, 103, 104, 105])
        #expect(fromHorizon.allSatisfy { $0.topic == "ghl:b" })
        guard case .events(let none) = bus.resume(topic: "ghl:a", after: 105) else {
            Issue.record("expected events"); return
        }
        #expect(none.isEmpty)
        #expect(isRefetch(bus.resume(topic: "ghl:a", after: 100)))
        #expect(isRefetch(bus.resume(topic: "ghl:a", after: 500)))
        // A topic with no events yet: only the seq before its first resumes.
        #expect(bus.lastSeq(of: "ghl:quiet") == 99)
        #expect(!isRefetch(bus.resume(topic: "ghl:quiet", after: 99)))
        #expect(isRefetch(bus.resume(topic: "ghl:quiet", after: 98)))

        // subscribe(after:) queues the missed events, then live ones, with no gap.
        let resumed = bus.subscribe(to: "ghl:a", after: 103)
        bus.publish([change(source: "a", id: "live")])
        let delivery = try #require(await resumed.next())
        #expect(delivery.signal == nil)
        #expect(delivery.events.map(\.seq) == [104, 105, 106])
        let stale = bus.subscribe(to: "ghl:a", after: 1)
        #expect(await stale.next()?.signal == .refetch)
        resumed.cancel()
        stale.cancel()
    }

    @Test func aResumeTheCacheServesDoesNotAskTheHistory() async throws {
        let bus = TopicBus(configuration: .init(logCapacity: 4), firstSeq: 1)
        let asked = HistoryCalls()
        bus.restore(recent: [], lastSeqs: [:], history: { _, _, _, _ in
            asked.count.withLock { $0 += 1 }
            return nil
        })
        for index in 1...6 { bus.publish([change(source: "a", id: "a\(index)")]) }
        // The cache holds 3...6: a resume after 2 is served from it, with no read of the history
        // (on PostgreSQL a round trip on the joining thread).
        let cached = bus.subscribe(to: "ghl:a", after: 2)
        #expect(cached.resumed)
        #expect(await collect(cached, count: 4).events.map(\.seq) == [3, 4, 5, 6])
        #expect(asked.count.withLock { $0 } == 0)
        cached.cancel()
        // One after 1 is not: the history is asked, and without the event it is a refetch.
        let older = bus.subscribe(to: "ghl:a", after: 1)
        #expect(asked.count.withLock { $0 } == 1)
        #expect(await older.next()?.signal == .refetch)
        older.cancel()
    }

    private func isRefetch(_ resume: TopicBus.Resume) -> Bool {
        if case .refetch = resume { return true }
        return false
    }

    private func change(source: String, id: String) -> ChangeEvent {
        ChangeEvent(table: "ghl_contacts", operation: .insert, sourceId: source, old: nil,
                    new: #"{"ghl_contact_id":"\#(id)"}"#, timestamp: "2024-01-01T00:00:00.000Z")
    }
}

/// How many times a bus asked its history.
private final class HistoryCalls: Sendable {
    let count = Mutex(0)
}
