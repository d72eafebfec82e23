import Foundation
import GHLRealtime
import GHLStore
import Testing
import GHLJSON

/// Presence, Supabase's replay option, per-topic seqs, and channels closed the
/// moment their access ends.
@Suite(.timeLimit(.minutes(2))) struct PresenceReplayAndAccessTests {
    static let presenceOn: JSONObject = ["presence": .object(["key": .string("alice-tab"), "enabled": .bool(true)])]

    @Test func presenceIsSharedAmongTheChannelsOfOneSourceOnly() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA), ("bob", fixture.sourceA), ("mallory", fixture.sourceB)])
        let (a, b) = (fixture.sourceA, fixture.sourceB)
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await withPeers(port: port, [.v1, .v2, .v1]) { peers in
                let (alice, bob, mallory) = (peers[0], peers[1], peers[2])
                try await alice.join(a, token: "token-alice", config: Self.presenceOn)
                #expect(try await alice.receive().status == "ok")
                let empty = try await alice.receive()
                #expect(empty.event == "presence_state" && empty.payload == .object([:]))
                try await bob.join(a, token: "token-bob", config: ["presence": .object(["key": .string("bob"), "enabled": .bool(true)])])
                #expect(try await bob.receive().status == "ok")
                #expect(try await bob.receive().event == "presence_state")
                // A user without the source can neither join it nor track on it.
                try await mallory.join(a, token: "token-mallory", config: Self.presenceOn)
                #expect(try await mallory.receive().status == "error")
                try await mallory.presence(a, "track", payload: .object(["spy": .bool(true)]), ref: "2")
                let refused = try await mallory.receive()
                #expect(refused.status == "error" && refused.reason == "unmatched topic")
                try await mallory.join(b, token: "token-mallory", ref: "3", config: Self.presenceOn)
                #expect(try await mallory.receive().status == "ok")
                #expect(try await mallory.receive().payload == .object([:]))

                try await alice.presence(a, "track", payload: .object(["viewing": .string("contacts")]), ref: "2")
                let aliceSees = try await alice.receive(until: { $0.event == "presence_diff" })
                #expect(aliceSees.contains { $0.event == "phx_reply" && $0.ref == "2" && $0.status == "ok" })
                let join = try #require(aliceSees.last)
                let metas = join.payload["joins"]?["alice-tab"]?["metas"]
                guard case .array(let list)? = metas, let meta = list.first else { Issue.record("no metas: \(join.payload)"); return }
                #expect(meta["viewing"] == .string("contacts"))
                #expect(meta["phx_ref"]?.stringValue?.isEmpty == false)
                #expect(join.payload["leaves"] == .object([:]))
                let bobSees = try await bob.receive()
                #expect(bobSees.event == "presence_diff" && bobSees.payload == join.payload)
                // Mallory, joined on source B only, heard nothing of it: her next message answers her heartbeat.
                try await mallory.heartbeat(ref: "9")
                #expect(try await mallory.receive().ref == "9")

                // Bob's state on a fresh join holds Alice; Bob leaving is a diff for Alice.
                try await bob.send(PhoenixMessage(joinRef: "1", ref: "5", topic: "realtime:ghl:\(a)", event: "phx_leave", payload: .object([:])))
                #expect(try await bob.receive().ref == "5")
                try await bob.join(a, token: "token-bob", ref: "6", config: ["presence": .object(["key": .string("bob"), "enabled": .bool(true)])])
                #expect(try await bob.receive().status == "ok")
                let state = try await bob.receive()
                #expect(state.event == "presence_state" && state.payload["alice-tab"]?["metas"] == metas)
                try await bob.presence(a, "track", payload: .object(["viewing": .string("pipeline")]), ref: "7", joinRef: "6")
                _ = try await bob.receive(until: { $0.event == "presence_diff" })
                _ = try await alice.receive(until: { $0.event == "presence_diff" })
                try await alice.presence(a, "untrack", ref: "8")
                let untracked = try await alice.receive(until: { $0.event == "presence_diff" })
                #expect(untracked.last?.payload["leaves"]?["alice-tab"]?["metas"] == metas)
                #expect(untracked.last?.payload["joins"] == .object([:]))
            }
        }
    }

    @Test func theSocketGoingAwayLeavesPresence() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA), ("bob", fixture.sourceA)])
        let a = fixture.sourceA
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { alice in
                try await alice.join(a, token: "token-alice", config: Self.presenceOn)
                _ = try await alice.receive(until: { $0.event == "presence_state" })
                try await withPeers(port: port, [.v1]) { peers in
                    let bob = peers[0]
                    try await bob.join(a, token: "token-bob", config: ["presence": .object(["key": .string("bob"), "enabled": .bool(true)])])
                    _ = try await bob.receive(until: { $0.event == "presence_state" })
                    try await bob.presence(a, "track", payload: .object(["tab": .number(Double(1))]), ref: "2")
                    _ = try await bob.receive(until: { $0.event == "presence_diff" })
                }
                // Bob's diff reached Alice before his socket went away, then his leave did.
                _ = try await alice.receive(until: { $0.event == "presence_diff" })
                let left = try await alice.receive()
                #expect(left.event == "presence_diff" && left.payload["leaves"]?["bob"] != nil)
            }
        }
    }

    @Test func supabaseReplaySendsTheLastEventsSinceATimeMarkedReplayed() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let (a, b) = (fixture.sourceA, fixture.sourceB)
        let before = Int64(Date().timeIntervalSince1970 * 1000) - 1
        for index in 0..<30 { try await fixture.upsert(a, [("c\(index)", "v\(index)")]) }
        try await fixture.upsert(b, [("b1", "not hers")])
        // The replay is served from what the bus has published: all of it, not the first batch the relay read.
        try await fixture.settle()
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { client in
                let replay: JSONValue = .object(["replay": .object(["since": .number(Double(before)), "limit": .number(Double(3))])])
                try await client.join(a, token: "token-alice", config: ["broadcast": replay])
                let reply = try await client.receive()
                #expect(reply.status == "ok" && reply.payload["response"]?["ghlsync"]?["resumed"] == .bool(false))
                var replayed: [PhoenixMessage] = []
                for _ in 0..<3 { replayed.append(try await client.receive()) }
                #expect(replayed.map { $0.change?["new"]?["ghl_contact_id"]?.stringValue } == ["c27", "c28", "c29"])
                #expect(replayed.allSatisfy { $0.payload["meta"]?["replayed"] == .bool(true) })
                try await fixture.upsert(a, [("live", "after join")])
                let live = try await client.receive()
                #expect(live.change?["new"]?["ghl_contact_id"] == .string("live") && live.payload["meta"] == nil)

                // Beyond Supabase's limit of 25, and from the future: capped, and nothing.
                let wide: JSONValue = .object(["replay": .object(["since": .number(Double(0)), "limit": .number(Double(1_000))])])
                try await client.join(a, token: "token-alice", ref: "2", config: ["broadcast": wide])
                #expect(try await client.receive().status == "ok")
                var capped: [PhoenixMessage] = []
                for _ in 0..<25 { capped.append(try await client.receive()) }
                #expect(capped.last?.change?["new"]?["ghl_contact_id"] == .string("live"))
                #expect(capped.allSatisfy { $0.change?["source_id"] == .string(a) })
                let future: JSONValue = .object(["replay": .object(["since": .number(Double(before + 86_400_000))])])
                try await client.join(a, token: "token-alice", ref: "3", config: ["broadcast": future])
                #expect(try await client.receive().status == "ok")
                try await client.heartbeat(ref: "4")
                #expect(try await client.receive().ref == "4")
            }
        }
    }

    @Test func joinSeqsAndEventSeqsCountOnlyTheirOwnSource() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let (a, b) = (fixture.sourceA, fixture.sourceB)
        try await fixture.upsert(a, [("c1", "one")])
        // c1 published before the join: else it could arrive live after the join and be read as the next reply.
        try await fixture.settle()
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { client in
                try await client.join(a, token: "token-alice")
                let first = try #require(try await client.receive().payload["response"]?["ghlsync"]?["seq"]?.int64Value)
                for index in 0..<50 { try await fixture.upsert(b, [("b\(index)", "busy")]) }
                try await client.join(a, token: "token-alice", ref: "2")
                let second = try #require(try await client.receive().payload["response"]?["ghlsync"]?["seq"]?.int64Value)
                #expect(second == first)
                try await fixture.upsert(a, [("c2", "two")])
                #expect(try await client.receive().change?["seq"]?.int64Value == first + 1)
                // Resuming from before B's burst replays A's one event, nothing of B.
                try await client.join(a, token: "token-alice", ref: "3", sinceSeq: first)
                #expect(try await client.receive().payload["response"]?["ghlsync"]?["resumed"] == .bool(true))
                let resumed = try await client.receive()
                #expect(resumed.change?["new"]?["ghl_contact_id"] == .string("c2"))
                try await client.heartbeat(ref: "4")
                #expect(try await client.receive().ref == "4")
            }
        }
    }

    @Test func endingTheSessionClosesOpenChannelsWithoutWaitingForTheFullSweep() async throws {
        try await Self.closesOpenChannels(revokingGrant: false)
    }

    @Test func revokingTheGrantClosesOpenChannelsWithoutWaitingForTheFullSweep() async throws {
        try await Self.closesOpenChannels(revokingGrant: true)
    }

    static func closesOpenChannels(revokingGrant: Bool) async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA), ("bob", fixture.sourceA)])
        let a = fixture.sourceA
        let grant = revokingGrant
        // The full sweep would come only after an hour: what closes the channel is the access version moving.
        let configuration = RealtimeService.Configuration(recheckInterval: .seconds(3_600))
        try await withRealtimeServer(fixture, authorizer, configuration: configuration, sweeping: true) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { bob in
                try await bob.join(a, token: "token-bob", config: ["presence": .object(["key": .string("bob"), "enabled": .bool(true)])])
                _ = try await bob.receive(until: { $0.event == "presence_state" })
                try await withPeers(port: port, [.v1]) { peers in
                    let alice = peers[0]
                    try await alice.join(a, token: "token-alice", config: Self.presenceOn)
                    _ = try await alice.receive(until: { $0.event == "presence_state" })
                    try await alice.presence(a, "track", payload: .object(["here": .bool(true)]), ref: "2")
                    _ = try await alice.receive(until: { $0.event == "presence_diff" })
                    authorizer.end(alice: grant, source: a)
                    let closing = try await alice.receive(until: { $0.event == "phx_close" })
                    let statuses = closing.filter { $0.event == "system" }.map { $0.payload["status"]?.stringValue }
                    #expect(statuses == ["error"])
                    try await fixture.upsert(a, [("c1", "after close")])
                    try await alice.heartbeat(ref: "3")
                    #expect(try await alice.receive().ref == "3")
                }
                // Alice joined Bob's presence, then left it with her channel.
                let diffs = try await bob.receive(until: { $0.payload["leaves"]?["alice-tab"] != nil })
                #expect(diffs.contains { $0.payload["joins"]?["alice-tab"] != nil })
            }
        }
    }
}

extension TestAuthorizer {
    /// Revokes Alice's grant on `source`, or with `grant` false ends her session.
    func end(alice grant: Bool, source: String) {
        if grant { revoke(user: "alice", source: source) } else { endSession(of: "alice") }
    }
}
