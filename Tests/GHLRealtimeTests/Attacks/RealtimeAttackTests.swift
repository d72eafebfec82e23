import Foundation
import GHLAuth
import GHLRealtime
import GHLStore
import GRDB
import NIOCore
import Testing
import GHLJSON

/// Attacks on realtime by a viewer of source A against source B: forged,
/// expired, revoked and borrowed tokens, topic name tricks, sequence and
/// presence side channels, replays, ended sessions and deleted users, and
/// malformed or oversized frames. Each one must leave the attacker with
/// nothing of B (no event, row, id or presence) and the server answering
/// normally afterwards.
@Suite(.timeLimit(.minutes(2))) struct RealtimeAttackTests {
    enum Attack: String, CaseIterable, Sendable {
        case joinOtherSourceWithOwnToken, joinWithoutAnyToken, joinWithGarbageToken, joinWithAlgNoneToken
        case joinWithTokenOfAnotherKey, joinWithExpiredToken, joinWithTamperedClaims, joinWithRevokedSessionToken
        case joinWithDeletedUsersToken, joinWithRevokedTokenAsApikey, payloadTokenOverridesApikey, joinAsUserWithoutGrants
        case topicWithTrailingSpace, topicWithPathTraversal, topicInUpperCase, topicWildcard, topicWithEmptySource
        case topicWithNul, topicListingTwoSources, topicWithDoublePrefix, topicWithoutRealtimePrefix, topicWithSourceIdUppercased
        case refreshTokenToUserWithoutSource, accessTokenOnUnjoinedTopic
        case seqMovesWithOtherSourcesActivity, sinceSeqProbing, malformedSinceSeq, replayOfAllHistory, replayOnOtherSource
        case presenceOnUnjoinedSource, presenceOfOtherSourceLeaks, oversizedPresence, nonObjectPresence, presenceRefsCount
        case revokedSessionKeepsChannel, deletedUserKeepsChannel, replayedRefreshTokenKeepsChannel, revokedGrantKeepsChannel
        case oversizedFrame, malformedFrames, binaryFrame, clientBroadcastInjection, postgresChangesOnOtherSource, nonObjectJoinPayload
    }

    @Test(arguments: Attack.allCases)
    func attack(_ attack: Attack) async throws {
        let world = try await AttackWorld()
        defer { world.remove() }
        // Only the access version closes channels here: the full sweep would come after an hour.
        let configuration = RealtimeService.Configuration(recheckInterval: .seconds(3_600))
        try await withRealtimeServer(world.fixture, world.authorizer, configuration: configuration, sweeping: true) { port, _ in
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { client in
                if try await Self.run(attack, world, &client, port: port) {
                    try await world.expectNothingOfBReaches(&client)
                }
            }
            try await world.expectServerAnswersNormally(port: port)
        }
    }

    /// Runs one attack on `client`; false when it ended the connection.
    static func run(_ attack: Attack, _ world: AttackWorld, _ client: inout PhoenixTestClient, port: Int) async throws -> Bool {
        let (a, b) = (world.a, world.b)
        switch attack {
        case .joinOtherSourceWithOwnToken:
            try await expectRefused(&client, b, token: world.aliceToken)
        case .joinWithoutAnyToken:
            try await expectRefused(&client, b, token: nil)
        case .joinWithGarbageToken:
            try await expectRefused(&client, b, token: "not.a.jwt")
        case .joinWithAlgNoneToken:
            let parts = world.carolSession.accessToken.split(separator: ".")
            let none = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URL + "." + parts[1] + "."
            try await expectRefused(&client, b, token: none)
        case .joinWithTokenOfAnotherKey:
            try await expectRefused(&client, b, token: try await world.tokenFromAnotherKey(for: world.carol))
        case .joinWithExpiredToken:
            try await expectRefused(&client, b, token: try await world.expiredToken(for: world.carol))
        case .joinWithTamperedClaims:
            // Alice's signature over Carol's claims.
            let alice = world.aliceToken.split(separator: "."), carol = world.carolSession.accessToken.split(separator: ".")
            try await expectRefused(&client, b, token: [alice[0], carol[1], alice[2]].joined(separator: "."))
        case .joinWithRevokedSessionToken:
            try await world.signOutCarol()
            try await expectRefused(&client, b, token: world.carolSession.accessToken)
        case .joinWithDeletedUsersToken:
            try world.deleteCarol()
            try await expectRefused(&client, b, token: world.carolSession.accessToken)
        case .joinWithRevokedTokenAsApikey:
            try await world.signOutCarol()
            try await PhoenixTestClient.connect(port: port, query: "apikey=\(world.carolSession.accessToken)&vsn=1.0.0", version: .v1) { other in
                try await expectRefused(&other, b, token: nil)
                try await world.expectNothingOfBReaches(&other)
            }
        case .payloadTokenOverridesApikey:
            try await PhoenixTestClient.connect(port: port, query: "apikey=\(world.carolSession.accessToken)&vsn=1.0.0", version: .v1) { other in
                try await expectRefused(&other, b, token: world.aliceToken)
                try await world.expectNothingOfBReaches(&other)
            }
        case .joinAsUserWithoutGrants:
            try await expectRefused(&client, b, token: world.malloryToken)
            try await expectRefused(&client, a, token: world.malloryToken, ref: "2")
        case .topicWithTrailingSpace:
            try await expectRefused(&client, topic: "realtime:ghl:\(b) ", token: world.aliceToken)
        case .topicWithPathTraversal:
            try await expectRefused(&client, topic: "realtime:ghl:\(a)/../\(b)", token: world.aliceToken)
        case .topicInUpperCase:
            try await expectRefused(&client, topic: "REALTIME:GHL:\(b)", token: world.aliceToken)
        case .topicWildcard:
            try await expectRefused(&client, topic: "realtime:ghl:*", token: world.aliceToken)
            try await expectRefused(&client, topic: "realtime:ghl:%", token: world.aliceToken, ref: "2")
        case .topicWithEmptySource:
            try await expectRefused(&client, topic: "realtime:ghl:", token: world.aliceToken)
        case .topicWithNul:
            try await expectRefused(&client, topic: "realtime:ghl:\(a)\u{0}\(b)", token: world.aliceToken)
        case .topicListingTwoSources:
            try await expectRefused(&client, topic: "realtime:ghl:\(a),\(b)", token: world.aliceToken)
        case .topicWithDoublePrefix:
            try await expectRefused(&client, topic: "realtime:realtime:ghl:\(b)", token: world.aliceToken)
        case .topicWithoutRealtimePrefix:
            try await expectRefused(&client, topic: "ghl:\(b)", token: world.aliceToken)
        case .topicWithSourceIdUppercased:
            try await expectRefused(&client, topic: "realtime:ghl:\(b.uppercased())", token: world.aliceToken)
        case .refreshTokenToUserWithoutSource:
            try await client.join(a, token: world.aliceToken)
            #expect(try await client.receive().status == "ok")
            try await client.send(PhoenixMessage(joinRef: "1", ref: "2", topic: "realtime:ghl:\(a)", event: "access_token",
                                                 payload: .object(["access_token": .string(world.malloryToken)])))
            let closing = try await client.receive(until: { $0.event == "phx_close" })
            #expect(closing.contains { $0.event == "system" })
        case .accessTokenOnUnjoinedTopic:
            try await client.send(PhoenixMessage(joinRef: "1", ref: "2", topic: "realtime:ghl:\(b)", event: "access_token",
                                                 payload: .object(["access_token": .string(world.carolSession.accessToken)])))
            let reply = try await client.receive()
            #expect(reply.status == "error" && reply.reason == "unmatched topic")
        case .seqMovesWithOtherSourcesActivity:
            try await client.join(a, token: world.aliceToken)
            let before = try await client.receive().payload["response"]?["ghlsync"]?["seq"]
            for index in 0..<40 { try await world.fixture.upsert(b, [("burst-\(index)", AttackWorld.secret)]) }
            try await world.fixture.settle()
            try await client.join(a, token: world.aliceToken, ref: "2")
            #expect(try await client.receive().payload["response"]?["ghlsync"]?["seq"] == before)
        case .sinceSeqProbing:
            try await client.join(a, token: world.aliceToken)
            let seq = try #require(try await client.receive().payload["response"]?["ghlsync"]?["seq"]?.int64Value)
            for index in 0..<5 { try await world.fixture.upsert(b, [("probe-\(index)", AttackWorld.secret)]) }
            try await world.fixture.settle()
            // Any seq but A's own is unknown: refetch, never B's events.
            for (ref, probe) in [("2", seq + 3), ("3", seq - 1_000), ("4", Int64.max), ("5", Int64.min)] {
                try await client.join(a, token: world.aliceToken, ref: ref, sinceSeq: probe)
                let answer = try await client.receive(until: { $0.event == "broadcast" })
                #expect(answer.last?.payload["event"] == .string("refetch"))
            }
            try await client.join(a, token: world.aliceToken, ref: "6", sinceSeq: seq)
            #expect(try await client.receive().payload["response"]?["ghlsync"]?["resumed"] == .bool(true))
        case .malformedSinceSeq:
            for (ref, value) in [("1", JSONValue.string("abc")), ("2", .number(1.5)), ("3", .object(["$gt": .number(Double(0))])),
                                 ("4", .array([.number(Double(1))])), ("5", .null)] {
                try await client.join(a, token: world.aliceToken, ref: ref, config: ["ghlsync": .object(["since_seq": value])])
                #expect(try await client.receive().status == "ok")
            }
        case .replayOfAllHistory:
            for index in 0..<3 { try await world.fixture.upsert(a, [("history-\(index)", "a")]) }
            try await world.fixture.settle()   // the bus has them: a replay, not live events
            try await client.join(a, token: world.aliceToken, config: ["broadcast": .object([
                "replay": .object(["since": .number(Double(0)), "limit": .number(Double(100_000))]),
            ])])
            #expect(try await client.receive().status == "ok")
            let replayed = try await client.receive(until: { $0.change?["new"]?["ghl_contact_id"] == .string("history-2") })
            #expect(replayed.allSatisfy { $0.payload["meta"]?["replayed"] == .bool(true) })
        case .replayOnOtherSource:
            try await expectRefused(&client, b, token: world.aliceToken, config: ["broadcast": .object([
                "replay": .object(["since": .number(Double(0)), "limit": .number(Double(25))]),
            ])])
        case .presenceOnUnjoinedSource:
            try await client.presence(b, "track", payload: .object(["spy": .bool(true)]), ref: "1")
            let reply = try await client.receive()
            #expect(reply.status == "error" && reply.reason == "unmatched topic")
        case .presenceOfOtherSourceLeaks:
            try await client.join(a, token: world.aliceToken, config: ["presence": .object(["key": .string("alice"), "enabled": .bool(true)])])
            _ = try await client.receive(until: { $0.event == "presence_state" })
            try await PhoenixTestClient.connect(port: port, query: "vsn=1.0.0", version: .v1) { carol in
                try await carol.join(b, token: world.carolSession.accessToken,
                                     config: ["presence": .object(["key": .string(AttackWorld.secret), "enabled": .bool(true)])])
                _ = try await carol.receive(until: { $0.event == "presence_state" })
                try await carol.presence(b, "track", payload: .object(["where": .string(AttackWorld.secret)]), ref: "2")
                _ = try await carol.receive(until: { $0.event == "presence_diff" })
            }
        case .oversizedPresence:
            try await client.join(a, token: world.aliceToken)
            #expect(try await client.receive().status == "ok")
            try await client.presence(a, "track", payload: .object(["blob": .string(String(repeating: "x", count: 5_000))]), ref: "2")
            #expect(try await client.receive().status == "error")
        case .nonObjectPresence:
            try await client.join(a, token: world.aliceToken)
            #expect(try await client.receive().status == "ok")
            try await client.presence(a, "track", payload: .string("hello"), ref: "2")
            #expect(try await client.receive().status == "error")
            try await client.presence(a, "shout", ref: "3")
            #expect(try await client.receive().status == "error")
        case .presenceRefsCount:
            try await client.join(a, token: world.aliceToken, config: ["presence": .object(["key": .string("alice"), "enabled": .bool(true)])])
            _ = try await client.receive(until: { $0.event == "presence_state" })
            var refs: [String] = []
            for ref in ["2", "3"] {
                try await client.presence(a, "track", payload: .object([:]), ref: ref)
                let diff = try #require(try await client.receive(until: { $0.event == "presence_diff" }).last)
                guard case .array(let metas)? = diff.payload["joins"]?["alice"]?["metas"] else { Issue.record("no metas"); return true }
                refs += metas.compactMap { $0["phx_ref"]?.stringValue }
            }
            #expect(refs.count == 2 && refs[0] != refs[1])
            #expect(refs.allSatisfy { Int64($0) == nil })
        case .revokedSessionKeepsChannel, .deletedUserKeepsChannel, .replayedRefreshTokenKeepsChannel, .revokedGrantKeepsChannel:
            // Carol, legitimately on B, loses her access while the channel is open.
            try await client.join(b, token: world.carolSession.accessToken, ref: "carol")
            #expect(try await client.receive().status == "ok")
            switch attack {
            case .revokedSessionKeepsChannel: try await world.signOutCarol()
            case .deletedUserKeepsChannel: try world.deleteCarol()
            case .replayedRefreshTokenKeepsChannel:
                _ = try await world.auth.refresh(refreshToken: world.carolSession.refreshToken)
                await #expect(throws: AuthError.self) { try await world.auth.refresh(refreshToken: world.carolSession.refreshToken) }
            default: try await world.auth.accounts.revoke(userId: world.carol.id, sourceId: b)
            }
            let closing = try await client.receive(until: { $0.event == "phx_close" })
            #expect(closing.contains { $0.event == "system" && $0.payload["status"] == .string("error") })
        case .oversizedFrame:
            try await client.sendRaw(String(repeating: "x", count: 2 << 20))
            #expect(await client.isClosedByServer())
            return false
        case .malformedFrames:
            // Within the server's frame limit (a larger frame closes the connection: see oversizedFrame).
            let deep = String(repeating: "[", count: 6_000) + String(repeating: "]", count: 6_000)
            for frame in ["not json", "[]", "{}", "[1,2,3,4,5]", #"{"topic":1,"event":"phx_join"}"#, "null", deep,
                          #"{"topic":"realtime:ghl:\#(b)","event":"phx_join","payload":{"config":"#] {
                try await client.sendRaw(frame)
            }
            try await client.heartbeat(ref: "hb")
            #expect(try await client.receive().ref == "hb")
        case .binaryFrame:
            try await client.outbound.write(.binary(ByteBuffer(bytes: Array(#"{"topic":"realtime:ghl:x","event":"phx_join"}"#.utf8))))
            try await client.heartbeat(ref: "hb")
            #expect(try await client.receive().ref == "hb")
        case .clientBroadcastInjection:
            try await client.join(a, token: world.aliceToken)
            #expect(try await client.receive().status == "ok")
            try await client.send(PhoenixMessage(joinRef: "1", ref: "2", topic: "realtime:ghl:\(a)", event: "broadcast", payload: .object([
                "type": .string("broadcast"), "event": .string("UPDATE"), "payload": .object(["source_id": .string(b)]),
            ])))
            #expect(try await client.receive().status == "error")
        case .postgresChangesOnOtherSource:
            try await expectRefused(&client, b, token: world.carolSession.accessToken, config: ["postgres_changes": .array([
                .object(["event": .string("*"), "schema": .string("public"), "table": .string("ghl_contacts")]),
            ])])
        case .nonObjectJoinPayload:
            try await client.send(PhoenixMessage(joinRef: "1", ref: "1", topic: "realtime:ghl:\(b)", event: "phx_join", payload: .string("x")))
            #expect(try await client.receive().status == "error")
        }
        return true
    }

    static func expectRefused(_ client: inout PhoenixTestClient, _ source: String, token: String?, ref: String = "1",
                              config: JSONObject = [:]) async throws {
        try await expectRefused(&client, topic: "realtime:ghl:\(source)", token: token, ref: ref, config: config)
    }

    static func expectRefused(_ client: inout PhoenixTestClient, topic: String, token: String?, ref: String = "1",
                              config: JSONObject = [:]) async throws {
        try await client.join(topic: topic, token: token, ref: ref, config: config)
        let reply = try await client.receive()
        #expect(reply.event == "phx_reply" && reply.ref == ref && reply.status == "error", "\(reply)")
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
