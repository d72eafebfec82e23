@testable import GHLStore
import Crypto
import Foundation
import GHLAuth
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Access tokens and sessions an attacker forges, tampers, steals or replays
/// to read B. Each token is tried on a read of B's contacts; it must be
/// refused (or, where it is a real token of A's viewer, see only A).
@Suite struct TokenAttacks {
    /// Names each forged token; built from the fixture's real tokens and key.
    static func forgedTokens(_ fixture: AttackFixture) throws -> [(name: String, token: String)] {
        let (viewerHeader, viewerClaims) = AttackFixture.parts(fixture.base.viewer)
        let (_, ownerClaims) = AttackFixture.parts(fixture.base.owner)
        let (kid, key) = try fixture.signingKey()
        func claims(_ changes: [String: Any], base: [String: Any] = viewerClaims) -> [String: Any] {
            base.merging(changes) { $1 }
        }
        let now = Int(Date().timeIntervalSince1970)
        let viewerSignature = fixture.base.viewer.split(separator: ".")[2]
        let ownerPayload = fixture.base.owner.split(separator: ".")[1]
        return [
            ("alg none with the owner's claims", AttackFixture.token(header: ["alg": "none", "typ": "JWT", "kid": kid], claims: ownerClaims, key: nil)),
            ("alg none without kid", AttackFixture.token(header: ["alg": "none"], claims: ownerClaims, key: nil)),
            ("ALG NONE in capitals", AttackFixture.token(header: ["alg": "NONE", "kid": kid], claims: ownerClaims, key: nil)),
            ("signed with another key", AttackFixture.token(header: viewerHeader, claims: ownerClaims, key: SymmetricKey(size: .bits256))),
            ("owner's claims under the viewer's signature", "\(fixture.base.viewer.split(separator: ".")[0]).\(ownerPayload).\(viewerSignature)"),
            ("HS384 header on an HS256 signature",
             AttackFixture.token(header: viewerHeader.merging(["alg": "HS384"]) { $1 }, claims: viewerClaims, key: key)),
            ("RS256 header signed with the HMAC key (algorithm confusion)",
             AttackFixture.token(header: ["alg": "RS256", "kid": kid], claims: ownerClaims, key: key)),
            ("another kid", AttackFixture.token(header: ["alg": "HS256", "kid": "other"], claims: ownerClaims, key: key)),
            ("stolen key: owner's id in the viewer's session",
             AttackFixture.token(header: viewerHeader, claims: claims(["sub": fixture.ownerId]), key: key)),
            ("stolen key: a session that does not exist",
             AttackFixture.token(header: viewerHeader, claims: claims(["sub": fixture.ownerId, "session_id": UUID().uuidString.lowercased()]), key: key)),
            ("expired", AttackFixture.token(header: viewerHeader, claims: claims(["exp": now - 600]), key: key)),
            ("wrong audience", AttackFixture.token(header: viewerHeader, claims: claims(["aud": "service_role"]), key: key)),
            ("wrong issuer", AttackFixture.token(header: viewerHeader, claims: claims(["iss": "supabase"]), key: key)),
            ("signature stripped", fixture.base.owner.split(separator: ".").prefix(2).joined(separator: ".") + "."),
            ("signature of another token", "\(fixture.base.owner.split(separator: ".").prefix(2).joined(separator: ".")).\(viewerSignature)"),
            ("trailing garbage", fixture.base.owner + ".x"),
            ("oversized", fixture.base.owner + String(repeating: "A", count: 10_000)),
            ("not a JWT", "owner@example.com"),
            ("empty", ""),
        ]
    }

    /// Refused as a client error (401 today; a front that limits header sizes may say 431 first): never 2xx or 5xx.
    static func refused(_ status: HTTPResponse.Status) -> Bool {
        (400..<500).contains(Int(status.code))
    }

    static func readB(_ fixture: AttackFixture, _ client: any TestClientProtocol, headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?source_id=eq.\(fixture.b)", method: .get, headers: headers)
    }

    @Test func forgedAndTamperedTokensReadNothing() async throws {
        let fixture = try await AttackFixture()
        let forged = try Self.forgedTokens(fixture)
        #expect(forged.count == Set(forged.map(\.name)).count)
        try await fixture.base.test { client in
            for (name, token) in forged {
                let response = try await Self.readB(fixture, client, headers: RouterTests.bearer(token))
                #expect(Self.refused(response.status), "\(name): \(response.status)")
                #expect(fixture.leaks(String(buffer: response.body), request: fixture.b).isEmpty, "\(name)")
                #expect(try await fixture.expectNormalRead(client), "\(name)")
            }
            // Other ways of presenting credentials are not credentials.
            let password = Data("owner@example.com:\(Fixture.password)".utf8).base64EncodedString()
            for (name, headers) in [("basic auth with the owner's password", [HTTPField.Name.authorization: "Basic \(password)"]),
                                    ("token without the Bearer scheme", [.authorization: fixture.base.owner]),
                                    ("token as apikey only", [HTTPField.Name("apikey")!: fixture.base.owner])] as [(String, HTTPFields)] {
                let response = try await Self.readB(fixture, client, headers: headers)
                #expect(Self.refused(response.status), "\(name): \(response.status)")
                #expect(fixture.leaks(String(buffer: response.body), request: fixture.b).isEmpty, "\(name)")
            }
        }
    }

    /// A claim the server does not trust (role) changes nothing: the token is A's viewer's, and reads only A.
    @Test func aRoleClaimGivesNoMoreThanTheGrants() async throws {
        let fixture = try await AttackFixture()
        let (header, claims) = AttackFixture.parts(fixture.base.viewer)
        let (_, key) = try fixture.signingKey()
        let escalated = AttackFixture.token(header: header, claims: claims.merging(["role": "service_role", "email": "owner@example.com"]) { $1 }, key: key)
        try await fixture.base.test { client in
            let response = try await Self.readB(fixture, client, headers: RouterTests.bearer(escalated))
            #expect(response.status.code < 500)
            #expect(fixture.leaks(String(buffer: response.body), request: fixture.b).isEmpty)
            #expect(try await fixture.expectNormalRead(client))
        }
    }

    /// Sessions that ended (signed out, refresh token replayed, user deleted,
    /// grant revoked) read nothing more; refresh tokens that are not the
    /// current one of a live session are refused.
    @Test func endedSessionsAndStolenRefreshTokensReadNothing() async throws {
        let fixture = try await AttackFixture()
        let auth = fixture.base.auth
        try await fixture.base.test { client in
            func refresh(_ token: String) async throws -> TestResponse {
                try await client.execute(uri: "/auth/v1/token?grant_type=refresh_token", method: .post,
                                         headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"refresh_token":"\#(token)"}"#))
            }
            func expectRefused(_ name: String, _ token: String) async throws {
                let response = try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get, headers: RouterTests.bearer(token))
                #expect(Self.refused(response.status), "\(name): \(response.status)")
                #expect(fixture.leaks(String(buffer: response.body)).isEmpty, "\(name)")
            }

            // A replayed refresh token ends the session it was stolen from.
            let session = try await auth.signIn(email: "viewer@example.com", password: Fixture.password)
            let rotated = try await refresh(session.refreshToken)
            #expect(rotated.status == .ok)
            let fresh = try #require(try JSONSerialization.jsonObject(with: Data(buffer: rotated.body)) as? [String: Any])
            #expect(Self.refused(try await refresh(session.refreshToken).status), "replayed refresh token")
            try await expectRefused("access token of a session ended by a replay", fresh["access_token"] as! String)
            #expect(Self.refused(try await refresh(fresh["refresh_token"] as! String).status), "refresh token of a session ended by a replay")

            // Refresh tokens that never were, or are something else.
            for (name, token) in [("guessed refresh token", "AAAA"), ("an access token as refresh token", fixture.base.owner),
                                  ("refresh token with a quote", "x\\\"' OR 1=1 --"), ("empty refresh token", "")] {
                let response = try await refresh(token)
                #expect(response.status.code >= 400 && response.status.code < 500, "\(name): \(response.status)")
                #expect(!String(buffer: response.body).contains("access_token"), "\(name)")
            }

            // Signed out.
            let signedOut = try await auth.signIn(email: "viewer@example.com", password: Fixture.password)
            let signedOutUser = try await auth.verify(accessToken: signedOut.accessToken)
            try await auth.signOut(userId: signedOutUser.userId, sessionId: signedOutUser.sessionId, scope: .local)
            try await expectRefused("signed-out session", signedOut.accessToken)
            #expect(Self.refused(try await refresh(signedOut.refreshToken).status), "refresh token of a signed-out session")

            // The owner of B is deleted: their token and refresh token die with them (and their grants).
            let doomed = try await auth.accounts.addUser(email: "doomed@example.com", password: Fixture.password)
            try await auth.accounts.grant(.owner, to: doomed.id, on: fixture.b)
            let doomedSession = try await auth.issueToken(for: doomed.id)
            try await fixture.base.store.pool.base.write { try $0.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [doomed.id]) }
            try await expectRefused("deleted user's token", doomedSession.accessToken)
            #expect(Self.refused(try await refresh(doomedSession.refreshToken).status), "deleted user's refresh token")
            let orphanGrants = try await fixture.base.store.pool.base.read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM user_sources WHERE user_id = ?", arguments: [doomed.id])
            }
            #expect(orphanGrants == 0)

            // A revoked grant: the token still works, but reads nothing of the source any more.
            let revoked = try await auth.accounts.addUser(email: "revoked@example.com", password: Fixture.password)
            try await auth.accounts.grant(.viewer, to: revoked.id, on: fixture.b)
            let revokedToken = try await auth.issueToken(for: revoked.id).accessToken
            try await auth.accounts.revoke(userId: revoked.id, sourceId: fixture.b)
            let after = try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get, headers: RouterTests.bearer(revokedToken))
            #expect(after.status.code < 500)
            #expect(fixture.leaks(String(buffer: after.body)).isEmpty, "revoked grant")

            #expect(try await fixture.expectNormalRead(client))
        }
    }
}
