import Foundation
import GHLAuth
import GHLRealtime
import GRDB
import Testing

@Suite struct AuthChannelAuthorizerTests {
    @Test func joinsNeedAValidTokenAndAGrantAndRevokesAreSeen() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let auth = try await AuthService(store: fixture.store, keyFile: fixture.directory.appendingPathComponent("keys").path)
        let alice = try auth.accounts.addUser(email: "alice@example.com", password: "correct horse battery")
        try auth.accounts.grant(.viewer, to: alice.id, on: fixture.sourceA)
        let session = try await auth.issueToken(for: alice.id)
        let authorizer = AuthChannelAuthorizer(auth: auth)

        let grant = try await authorizer.authorize(accessToken: session.accessToken, sourceId: fixture.sourceA)
        #expect(grant.userId == alice.id && grant.expiresAt != nil)
        await #expect(throws: ChannelAuthorizationError.noAccess(sourceId: fixture.sourceB)) {
            try await authorizer.authorize(accessToken: session.accessToken, sourceId: fixture.sourceB)
        }
        await #expect(throws: ChannelAuthorizationError.invalidToken) {
            try await authorizer.authorize(accessToken: session.accessToken + "x", sourceId: fixture.sourceA)
        }
        #expect(await authorizer.stillAuthorized(grant, sourceId: fixture.sourceA))
        let version = try #require(await authorizer.accessVersion())
        try auth.accounts.revoke(userId: alice.id, sourceId: fixture.sourceA)
        #expect(!(await authorizer.stillAuthorized(grant, sourceId: fixture.sourceA)))
        #expect(await authorizer.accessVersion() == version + 1)
    }

    /// Ending the session or deleting the user ends an open channel's grant,
    /// and moves the access version whoever wrote it; a refresh moves nothing.
    @Test(arguments: ["logout", "replayed refresh token", "deleted user"])
    func anEndedSessionOrADeletedUserIsNoLongerAuthorized(_ ending: String) async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let auth = try await AuthService(store: fixture.store, keyFile: fixture.directory.appendingPathComponent("keys").path)
        let alice = try auth.accounts.addUser(email: "alice@example.com")
        try auth.accounts.grant(.viewer, to: alice.id, on: fixture.sourceA)
        let session = try await auth.issueToken(for: alice.id)
        let authorizer = AuthChannelAuthorizer(auth: auth)
        let grant = try await authorizer.authorize(accessToken: session.accessToken, sourceId: fixture.sourceA)
        #expect(grant.sessionId != nil)
        let version = await authorizer.accessVersion()
        let refreshed = try await auth.refresh(refreshToken: session.refreshToken)
        #expect(await authorizer.accessVersion() == version)
        switch ending {
        case "logout":
            try await auth.signOut(userId: alice.id, sessionId: try #require(grant.sessionId), scope: .local)
        case "replayed refresh token":
            await #expect(throws: AuthError.self) { try await auth.refresh(refreshToken: session.refreshToken) }
            await #expect(throws: AuthError.self) { try await auth.refresh(refreshToken: refreshed.refreshToken) }
        default:
            try await fixture.store.pool.write { db in try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [alice.id]) }
        }
        #expect(!(await authorizer.stillAuthorized(grant, sourceId: fixture.sourceA)))
        #expect(await authorizer.accessVersion() != version)
    }
}
