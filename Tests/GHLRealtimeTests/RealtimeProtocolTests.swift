import Foundation
import GHLPostgresTestSupport
import GHLRealtime
import GHLStore
import Testing

@Suite(.timeLimit(.minutes(2))) struct RealtimeProtocolTests {
    @Test(arguments: Engine.allCases) func joinHeartbeatBroadcastAndLeave(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine)
        defer { fixture.remove() }
        try await fixture.settle()
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let (a, b) = (fixture.sourceA, fixture.sourceB)
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "apikey=anon&vsn=1.0.0", version: .v1) { client in
                // Exactly what realtime-py 2.x sends (pydantic field order, vsn 1.0.0 object).
                try await client.sendRaw(#"{"event":"phx_join","payload":{"config":{"broadcast":{"ack":false,"self":false},"presence":{"key":"","enabled":false},"private":true,"postgres_changes":[]},"access_token":"token-alice"},"topic":"realtime:ghl:\#(a)","ref":"1","join_ref":"1"}"#)
                let reply = try await client.receive()
                #expect(reply.event == "phx_reply" && reply.ref == "1" && reply.topic == "realtime:ghl:\(a)")
                #expect(reply.status == "ok")
                #expect(reply.payload["response"]?["ghlsync"]?["seq"]?.int64Value == fixture.bus.lastSeq(of: "ghl:\(a)"))

                try await client.sendRaw(#"{"event":"heartbeat","payload":{},"topic":"phoenix","ref":"2","join_ref":null}"#)
                let beat = try await client.receive()
                #expect(beat.topic == "phoenix" && beat.event == "phx_reply" && beat.ref == "2" && beat.status == "ok")

                try await fixture.upsert(b, [("b1", "other source")])
                try await fixture.upsert(a, [("c1", "Ada")])
                try await fixture.upsert(a, [("c1", "Grace")])
                let insertText = try await client.receiveText()
                #expect(insertText.hasPrefix("{"))
                let insert = try PhoenixMessage.decode(insertText)
                #expect(insert.event == "broadcast" && insert.ref == nil && insert.topic == "realtime:ghl:\(a)")
                #expect(insert.payload["type"] == .string("broadcast") && insert.payload["event"] == .string("INSERT"))
                #expect(insert.change?["table"] == .string("ghl_contacts"))
                #expect(insert.change?["source_id"] == .string(a))
                #expect(insert.change?["new"]?["ghl_contact_id"] == .string("c1"))
                #expect(insert.change?["old"] == .null)
                let update = try await client.receive()
                #expect(update.payload["event"] == .string("UPDATE"))
                // `old` is the whole record before the update, as the seed's trigger sends OLD.
                #expect(update.change?["old"]?["id"] == .string("c1") && update.change?["old"]?["raw"]?["firstName"] == .string("Ada"))
                #expect(update.change?["new"]?["raw"]?["firstName"] == .string("Grace"))
                #expect(update.change?["seq"]?.int64Value == (insert.change?["seq"]?.int64Value).map { $0 + 1 })

                try await client.send(PhoenixMessage(joinRef: "1", ref: "3", topic: "realtime:ghl:\(a)", event: "phx_leave", payload: .object([:])))
                let left = try await client.receive()
                #expect(left.event == "phx_reply" && left.ref == "3" && left.status == "ok")
                // After leaving, a change of the source no longer arrives: the heartbeat reply comes next.
                try await fixture.upsert(a, [("c2", "after leave")])
                try await client.heartbeat(ref: "4")
                let next = try await client.receive()
                #expect(next.event == "phx_reply" && next.ref == "4")
            }
        }
    }

    /// A commit's frames leave as one shared buffer; the client still reads one
    /// broadcast per change, in order, with 7-, 16- and 64-bit frame lengths.
    @Test func aCommitArrivesAsOneBroadcastPerChangeWhateverTheirSize() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let a = fixture.sourceA
        let names = ["s", String(repeating: "m", count: 300), String(repeating: "L", count: 70_000)]
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            for version in [PhoenixVersion.v1, .v2] {
                try await PhoenixTestClient.connect(port: port, query: "vsn=\(version.rawValue)", version: version) { client in
                    try await client.join(a, token: "token-alice")
                    #expect(try await client.receive().status == "ok")
                    try await fixture.upsert(a, names.enumerated().map { ("\(version.rawValue)-\($0.offset)", $0.element) })
                    for (index, name) in names.enumerated() {
                        let change = try #require(try await client.receive().change)
                        #expect(change["new"]?["ghl_contact_id"] == .string("\(version.rawValue)-\(index)"))
                        #expect(change["new"]?["raw"]?["firstName"] == .string(name))
                    }
                }
            }
        }
    }

    /// A client that stops reading is held back rather than buffered without
    /// bound: its queue overflows, and once it reads again a `resync` broadcast
    /// says it missed events, followed by the latest ones.
    @Test func aClientThatStopsReadingIsToldToResync() async throws {
        let fixture = try await StoreFixture(bus: TopicBus(configuration: .init(subscriberQueueLimit: 8), firstSeq: 1))
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let a = fixture.sourceA
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { client in
                try await client.join(a, token: "token-alice")
                #expect(try await client.receive().status == "ok")
                // About 30 MB of changes while the client reads nothing: more than socket buffers hold.
                let large = String(repeating: "x", count: 200_000)
                for index in 0..<150 { try await fixture.upsert(a, [("c\(index)", large)]) }
                try await fixture.upsert(a, [("last", "last")])
                var resyncs = 0
                var received = 0
                while true {
                    let message = try await client.receive()
                    if message.payload["event"] == .string("resync") { resyncs += 1 }
                    received += 1
                    if message.change?["new"]?["ghl_contact_id"] == .string("last") { break }
                }
                #expect(resyncs >= 1)
                #expect(received < 151)
            }
        }
    }

    @Test(arguments: Engine.allCases) func joinsAreRefusedWithoutAGrantOrAValidToken(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine)
        defer { fixture.remove() }
        try await fixture.settle()
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA), ("bob", fixture.sourceB)])
        let (a, b) = (fixture.sourceA, fixture.sourceB)
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { client in
                try await client.join(b, token: "token-alice", ref: "1")
                let refused = try await client.receive()
                #expect(refused.event == "phx_reply" && refused.ref == "1" && refused.status == "error")
                #expect(refused.reason == ChannelAuthorizationError.noAccess(sourceId: b).reason)

                try await client.join(a, token: "forged.jwt.value", ref: "2")
                #expect(try await client.receive().reason == ChannelAuthorizationError.invalidToken.reason)
                try await client.join(a, token: "expired-alice", ref: "3")
                #expect(try await client.receive().reason == ChannelAuthorizationError.expiredToken.reason)
                try await client.join(a, token: nil, ref: "4")
                #expect(try await client.receive().reason == ChannelAuthorizationError.missingToken.reason)
                try await client.send(PhoenixMessage(ref: "5", topic: "realtime:public:contacts", event: "phx_join",
                                                     payload: .object(["access_token": .string("token-alice")])))
                #expect(try await client.receive().status == "error")

                // Bob's changes never reach Alice's refused channel: her next message is the heartbeat reply.
                try await fixture.upsert(b, [("b1", "bob's")])
                try await client.heartbeat(ref: "6")
                #expect(try await client.receive().ref == "6")
            }
            // The token from ?apikey= serves a join whose payload has none (realtime-py puts it in both).
            try await PhoenixTestClient.connect(port: port, query: "apikey=token-bob&vsn=1.0.0", version: .v1) { client in
                try await client.join(b, token: nil)
                #expect(try await client.receive().status == "ok")
                try await client.join(a, token: nil, ref: "2")
                #expect(try await client.receive().status == "error")
            }
        }
    }

    @Test(arguments: Engine.allCases) func arrayFramesAndResumeFromSeq(_ engine: Engine) async throws {
        let fixture = try await StoreFixture(engine)
        defer { fixture.remove() }
        try await fixture.settle()
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let a = fixture.sourceA
        let before = fixture.bus.lastSeq(of: "ghl:\(a)")
        // Changes made while the client was away.
        try await fixture.upsert(a, [("c1", "one")])
        try await fixture.upsert(fixture.sourceB, [("b1", "not hers")])
        try await fixture.upsert(a, [("c2", "two"), ("c3", "three")])
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=2.0.0", version: .v2) { client in
                try await client.join(a, token: "token-alice", sinceSeq: before)
                let replyText = try await client.receiveText()
                #expect(replyText.hasPrefix("[\"1\",\"1\",\"realtime:ghl:\(a)\",\"phx_reply\""))
                #expect(try PhoenixMessage.decode(replyText).status == "ok")
                try await fixture.upsert(a, [("c4", "live")])
                var ids: [String] = []
                for _ in 0..<4 {
                    let text = try await client.receiveText()
                    #expect(text.hasPrefix("[null,null,\"realtime:ghl:\(a)\",\"broadcast\","))
                    ids.append(try PhoenixMessage.decode(text).change?["new"]?["ghl_contact_id"]?.stringValue ?? "?")
                }
                #expect(ids == ["c1", "c2", "c3", "c4"])

                // A seq this server never handed out cannot be resumed: refetch.
                try await client.send(PhoenixMessage(joinRef: "1", ref: "2", topic: "realtime:ghl:\(a)", event: "phx_leave", payload: .object([:])))
                #expect(try await client.receive().ref == "2")
                try await client.join(a, token: "token-alice", ref: "3", sinceSeq: fixture.bus.lastSeq(of: "ghl:\(a)") + 1_000)
                #expect(try await client.receive().status == "ok")
                let refetch = try await client.receive()
                #expect(refetch.event == "broadcast" && refetch.payload["event"] == .string("refetch"))
            }
        }
    }

    @Test func tokenRefreshReauthorizesAndAnInvalidTokenClosesTheChannel() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let a = fixture.sourceA
        try await withRealtimeServer(fixture, authorizer) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { client in
                let topic = "realtime:ghl:\(a)"
                try await client.join(a, token: "token-alice")
                #expect(try await client.receive().status == "ok")
                try await client.send(PhoenixMessage(joinRef: "1", ref: "2", topic: topic, event: "access_token",
                                                     payload: .object(["access_token": .string("token-alice")])))
                #expect(try await client.receive().status == "ok")
                try await fixture.upsert(a, [("c1", "still open")])
                #expect(try await client.receive().payload["event"] == .string("INSERT"))

                try await client.send(PhoenixMessage(joinRef: "1", ref: "3", topic: topic, event: "access_token",
                                                     payload: .object(["access_token": .string("garbage")])))
                let system = try await client.receive()
                #expect(system.event == "system" && system.topic == topic && system.ref == nil)
                #expect(system.payload["status"] == .string("error"))
                #expect(system.payload["message"] == .string(ChannelAuthorizationError.invalidToken.reason))
                #expect(system.payload["channel"] == .string("ghl:\(a)"))
                let close = try await client.receive()
                #expect(close.event == "phx_close" && close.topic == topic && close.joinRef == "1")
                try await fixture.upsert(a, [("c2", "after close")])
                try await client.heartbeat(ref: "4")
                #expect(try await client.receive().ref == "4")
            }
        }
    }

    @Test func aRevokedGrantClosesOpenChannels() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let authorizer = TestAuthorizer(grants: [("alice", fixture.sourceA)])
        let a = fixture.sourceA
        try await withRealtimeServer(fixture, authorizer) { port, service in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { client in
                try await client.join(a, token: "token-alice")
                #expect(try await client.receive().status == "ok")
                await service.revalidate()
                try await client.heartbeat(ref: "2")
                #expect(try await client.receive().ref == "2")
                authorizer.revoke(user: "alice", source: a)
                await service.revalidate()
                let system = try await client.receive()
                #expect(system.event == "system" && system.payload["message"] == .string(ChannelAuthorizationError.noAccess(sourceId: a).reason))
                #expect(try await client.receive().event == "phx_close")
                #expect(service.connectionCount == 1)
            }
        }
    }
}
