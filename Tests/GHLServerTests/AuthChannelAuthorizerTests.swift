@testable import GHLStore
import Foundation
import GHLAuth
import GHLRealtime
import GHLServer
import GRDB
import Testing

/// The realtime authorizer the server builds over GHLAuth, against the server fixture's two sources.

@Suite struct AuthChannelAuthorizerTests {
    @Test func joinsNeedAValidTokenAndAGrantAndRevokesAreSeen() async throws {
        let fixture = try await Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let auth = fixture.auth
        let alice = try await auth.accounts.addUser(email: "alice@example.com", password: Fixture.password)
        try await auth.accounts.grant(.viewer, to: alice.id, on: fixture.first.id)
        let session = try await auth.issueToken(for: alice.id)
        let authorizer = AuthChannelAuthorizer(auth: auth)

        let grant = try await authorizer.authorize(accessToken: session.accessToken, sourceId: fixture.first.id)
        #expect(grant.userId == alice.id && grant.expiresAt != nil)
        await #expect(throws: ChannelAuthorizationError.noAccess(sourceId: fixture.second.id)) {
            try await authorizer.authorize(accessToken: session.accessToken, sourceId: fixture.second.id)
        }
        await #expect(throws: ChannelAuthorizationError.invalidToken) {
            try await authorizer.authorize(accessToken: session.accessToken + "x", sourceId: fixture.first.id)
        }
        #expect(await authorizer.stillAuthorized(grant, sourceId: fixture.first.id))
        let version = try #require(await authorizer.accessVersion())
        try await auth.accounts.revoke(userId: alice.id, sourceId: fixture.first.id)
        #expect(!(await authorizer.stillAuthorized(grant, sourceId: fixture.first.id)))
        #expect(await authorizer.accessVersion() == version + 1)
    }

    /// Ending the session or deleting the user ends an open channel's grant,
    /// and moves the access version whoever wrote it; a refresh moves nothing.
    @Test(arguments: ["logout", "replayed refresh token", "deleted user"])
    func anEndedSessionOrADeletedUserIsNoLongerAuthorized(_ ending: String) async throws {
        let fixture = try await Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let auth = fixture.auth
        let alice = try await auth.accounts.addUser(email: "alice@example.com")
        try await auth.accounts.grant(.viewer, to: alice.id, on: fixture.first.id)
        let session = try await auth.issueToken(for: alice.id)
        let authorizer = AuthChannelAuthorizer(auth: auth)
        let grant = try await authorizer.authorize(accessToken: session.accessToken, sourceId: fixture.first.id)
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
            try await fixture.store.pool.base.write { db in try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [alice.id]) }
        }
        #expect(!(await authorizer.stillAuthorized(grant, sourceId: fixture.first.id)))
        #expect(await authorizer.accessVersion() != version)
    }
}
