import Crypto
import Foundation
import GHLPostgresTestSupport
import GRDB
@testable import GHLStore
import Testing
@testable import GHLAuth

@Suite struct AuthServiceTests {
    @Test(arguments: Engine.allCases) func signInIssuesATokenThatVerifiesToTheUser(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let session = try await fixture.auth.signIn(email: "alice@example.com", password: "alice-password-1")
        #expect(session.tokenType == "bearer" && session.expiresIn == 3600 && session.user.id == fixture.alice.id)
        #expect(session.user.lastSignInAt != nil && fixture.alice.lastSignInAt == nil)
        let user = try await fixture.auth.verify(accessToken: session.accessToken)
        #expect(user.userId == fixture.alice.id && user.email == "alice@example.com")
        #expect(Int(user.expiresAt.timeIntervalSince1970) == session.expiresAt)

        let parts = session.accessToken.split(separator: ".")
        let header = JWTParts.decode(parts[0])
        let claims = try JSONSerialization.jsonObject(with: Data(JWTParts.decode(parts[1]).utf8)) as? [String: Any]
        #expect(header.contains("\"HS256\""))
        #expect(claims?["sub"] as? String == fixture.alice.id)
        #expect(claims?["session_id"] as? String == user.sessionId)
        #expect(claims?["exp"] is NSNumber && claims?["iat"] is NSNumber)
    }

    @Test(arguments: Engine.allCases) func wrongPasswordsUnknownEmailsAndTokenOnlyUsersCannotSignIn(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let tokenOnly = try await fixture.auth.accounts.addUser(email: "robot@example.com")
        #expect(!tokenOnly.hasPassword)
        for (email, password) in [("alice@example.com", "alice-password-2"), ("nobody@example.com", "alice-password-1"),
                                  ("robot@example.com", ""), ("alice@example.com", "")] {
            await #expect(throws: AuthError.invalidCredentials) { try await fixture.auth.signIn(email: email, password: password) }
        }
    }

    @Test func forgedTokensAreRejected() async throws {
        let fixture = try await AuthFixture()
        defer { fixture.cleanUp() }
        let session = try await fixture.auth.issueToken(for: fixture.alice.id)
        let parts = session.accessToken.split(separator: ".").map(String.init)
        let claims = JWTParts.decode(Substring(parts[1]))
        let asBob = JWTParts.encode(claims.replacingOccurrences(of: fixture.alice.id, with: fixture.bob.id))
        let headerJSON = JWTParts.decode(Substring(parts[0]))
        let none = JWTParts.encode(#"{"alg":"none","typ":"JWT"}"#)
        let noneWithKid = JWTParts.encode(headerJSON.replacingOccurrences(of: "HS256", with: "none"))

        // A token signed by hand with the real key verifies: the forgeries below differ only where they say.
        let keyFile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.keyPath))) as! [String: String]
        let key = SymmetricKey(data: Data(base64Encoded: keyFile["hs256"]!)!)
        func sign(_ header: String, _ payload: String) -> String {
            let input = header + "." + payload
            return input + "." + JWTParts.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)))
        }
        #expect(try await fixture.auth.verify(accessToken: sign(parts[0], parts[1])).userId == fixture.alice.id)

        let forgeries: [String] = [
            parts[0] + "." + asBob + "." + parts[2],                 // payload swapped, signature kept
            none + "." + asBob + ".",                                 // alg: none
            none + "." + parts[1] + ".",
            noneWithKid + "." + parts[1] + ".",
            noneWithKid + "." + parts[1] + "." + parts[2],
            sign(JWTParts.encode(headerJSON.replacingOccurrences(of: "HS256", with: "HS512")), parts[1]),
            sign(JWTParts.encode(#"{"alg":"HS256","typ":"JWT"}"#), parts[1]),  // no kid
            parts[0] + "." + parts[1] + "." + String(parts[2].reversed()),
            parts[0] + "." + parts[1],
            "",
            "not.a.token",
            String(repeating: "a", count: 10_000),
        ]
        for forged in forgeries {
            await #expect(throws: AuthError.invalidToken, "\(forged.prefix(60))") { try await fixture.auth.verify(accessToken: forged) }
        }
    }

    @Test func tokensSignedWithAnotherKeyAreRejected() async throws {
        let fixture = try await AuthFixture()
        defer { fixture.cleanUp() }
        let otherKey = fixture.directory.appendingPathComponent("other.keys").path
        let other = try await AuthService(store: fixture.store, keyFile: otherKey, hasher: AuthFixture.cheapHasher)
        let foreign = try await other.issueToken(for: fixture.alice.id)
        await #expect(throws: AuthError.invalidToken) { try await fixture.auth.verify(accessToken: foreign.accessToken) }
        // The same session under the right key still verifies: only the key differs.
        _ = try await other.verify(accessToken: foreign.accessToken)
    }

    /// A REST request's check: the token's user with their scope, read with
    /// the session in one store read; a signed-out session gets neither.
    @Test(arguments: Engine.allCases) func verifyingWithScopesGivesTheUserAndTheirCurrentScope(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let scopes = fixture.accounts.requestScopes()
        let session = try await fixture.auth.issueToken(for: fixture.alice.id)
        let (user, scope) = try await fixture.auth.verify(accessToken: session.accessToken, scopes: scopes)
        #expect(user == (try await fixture.auth.verify(accessToken: session.accessToken)))
        #expect(scope.userId == fixture.alice.id && scope.sourceIds == [fixture.sourceA] && scope.role(on: fixture.sourceA) == "viewer")
        try await fixture.auth.accounts.grant(.editor, to: fixture.alice.id, on: fixture.sourceB)
        #expect(try await fixture.auth.verify(accessToken: session.accessToken, scopes: scopes).scope.sourceIds == [fixture.sourceA, fixture.sourceB])
        try await fixture.auth.signOut(userId: user.userId, sessionId: user.sessionId, scope: .local)
        await #expect(throws: AuthError.invalidToken) { try await fixture.auth.verify(accessToken: session.accessToken, scopes: scopes) }
        await #expect(throws: AuthError.invalidToken) { try await fixture.auth.verify(accessToken: "not.a.token", scopes: scopes) }
    }

    @Test(arguments: Engine.allCases) func expiredTokensAreRejected(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine, accessTokenLifetime: -5)
        defer { fixture.cleanUp() }
        let session = try await fixture.auth.issueToken(for: fixture.alice.id)
        await #expect(throws: AuthError.invalidToken) { try await fixture.auth.verify(accessToken: session.accessToken) }
    }

    @Test(arguments: Engine.allCases) func signOutEndsTheSessionsTokens(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let session = try await fixture.auth.issueToken(for: fixture.alice.id)
        let user = try await fixture.auth.verify(accessToken: session.accessToken)
        try await fixture.auth.signOut(userId: user.userId, sessionId: user.sessionId, scope: .local)
        await #expect(throws: AuthError.invalidToken) { try await fixture.auth.verify(accessToken: session.accessToken) }
        await #expect(throws: AuthError.invalidRefreshToken) { try await fixture.auth.refresh(refreshToken: session.refreshToken) }
    }

    @Test(arguments: Engine.allCases) func signOutScopesEndTheSessionsGoTrueEnds(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        func sessions(_ count: Int) async throws -> [AuthSession] {
            var started: [AuthSession] = []
            for _ in 0..<count { started.append(try await fixture.auth.issueToken(for: fixture.alice.id)) }
            return started
        }
        /// Which of `sessions` still verify.
        func live(_ sessions: AuthSession...) async -> [Bool] {
            var alive: [Bool] = []
            for session in sessions { alive.append((try? await fixture.auth.verify(accessToken: session.accessToken)) != nil) }
            return alive
        }
        let bobs = try await fixture.auth.issueToken(for: fixture.bob.id)

        let others = try await sessions(3)
        try await fixture.auth.signOut(userId: fixture.alice.id, sessionId: others[0].sessionId, scope: .others)
        #expect(await live(others[0], others[1], others[2]) == [true, false, false])

        let global = try await sessions(2)
        try await fixture.auth.signOut(userId: fixture.alice.id, sessionId: global[0].sessionId, scope: .global)
        #expect(await live(global[0], global[1], others[0]) == [false, false, false])
        await #expect(throws: AuthError.invalidRefreshToken) { try await fixture.auth.refresh(refreshToken: global[1].refreshToken) }
        // Another user's session is untouched, and a session id of another user ends nothing.
        try await fixture.auth.signOut(userId: fixture.alice.id, sessionId: bobs.sessionId, scope: .local)
        #expect(await live(bobs) == [true])
    }

    @Test(arguments: Engine.allCases) func refreshRotatesAndAReplayedTokenEndsTheSession(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let first = try await fixture.auth.signIn(email: "bob@example.com", password: "bob-password-22")
        let second = try await fixture.auth.refresh(refreshToken: first.refreshToken)
        #expect(second.refreshToken != first.refreshToken && second.user.id == fixture.bob.id && second.user.lastSignInAt != nil)
        let user = try await fixture.auth.verify(accessToken: second.accessToken)
        #expect(user.userId == fixture.bob.id)
        // Replaying the retired token is taken as theft: the whole session ends.
        await #expect(throws: AuthError.invalidRefreshToken) { try await fixture.auth.refresh(refreshToken: first.refreshToken) }
        await #expect(throws: AuthError.invalidRefreshToken) { try await fixture.auth.refresh(refreshToken: second.refreshToken) }
        await #expect(throws: AuthError.invalidToken) { try await fixture.auth.verify(accessToken: second.accessToken) }
        await #expect(throws: AuthError.invalidRefreshToken) { try await fixture.auth.refresh(refreshToken: "made-up") }
    }

    @Test func secretsStayOutOfTheDatabaseFile() async throws {
        let fixture = try await AuthFixture()
        defer { fixture.cleanUp() }
        let session = try await fixture.auth.signIn(email: "alice@example.com", password: "alice-password-1")
        let refreshed = try await fixture.auth.refresh(refreshToken: session.refreshToken)

        var info = stat()
        #expect(stat(fixture.keyPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let keyFile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.keyPath))) as! [String: String]

        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: fixture.databasePath + suffix))) ?? Data()
        }
        let secretKey = Data(base64Encoded: keyFile["hs256"]!)!
        for secret in ["alice-password-1", "bob-password-22", session.accessToken, session.refreshToken,
                       refreshed.accessToken, refreshed.refreshToken, keyFile["hs256"]!] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret.prefix(20)) is in the database")
        }
        #expect(bytes.range(of: secretKey) == nil)
        let stored = try await fixture.store.pool.base.read { try String.fetchOne($0, sql: "SELECT password_hash FROM users WHERE id = ?", arguments: [fixture.alice.id]) }
        #expect(stored?.hasPrefix("$scrypt$") == true)
    }

    @Test func aKeyFileReadableByOthersIsRefused() async throws {
        let fixture = try await AuthFixture()
        defer { fixture.cleanUp() }
        #expect(chmod(fixture.keyPath, 0o644) == 0)
        await #expect(throws: AuthError.self) { try await AuthService(store: fixture.store) }
        let garbage = fixture.directory.appendingPathComponent("garbage.keys").path
        #expect(FileManager.default.createFile(atPath: garbage, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o600]))
        await #expect(throws: AuthError.self) { try await AuthService(store: fixture.store, keyFile: garbage) }
    }

    @Test(arguments: Engine.allCases) func twoServicesOnOneDatabaseShareTheKey(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        // SQLite: the same `<file>.keys`; PostgreSQL: the key the database keeps.
        let second = try await AuthService(store: try fixture.reopened(), hasher: AuthFixture.cheapHasher)
        let session = try await second.issueToken(for: fixture.bob.id)
        #expect(try await fixture.auth.verify(accessToken: session.accessToken).userId == fixture.bob.id)
    }
}
