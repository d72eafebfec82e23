@testable import GHLStore
import Foundation
import GHLAuth
import GHLPostgres
import GHLPostgresTestSupport
import GHLRealtime
import GHLServer
import GRDB
import Testing

/// The realtime authorizer the server builds over GHLAuth, against two
/// sources of the server fixture's file or of a PostgreSQL database.
@Suite struct AuthChannelAuthorizerTests {
    @Test(arguments: Engine.allCases) func joinsNeedAValidTokenAndAGrantAndRevokesAreSeen(engine: Engine) async throws {
        let fixture = try await AuthorizerWorld.make(engine)
        defer { fixture.cleanUp() }
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
    @Test(arguments: Engine.allCases, ["logout", "replayed refresh token", "deleted user"])
    func anEndedSessionOrADeletedUserIsNoLongerAuthorized(engine: Engine, _ ending: String) async throws {
        let fixture = try await AuthorizerWorld.make(engine)
        defer { fixture.cleanUp() }
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
            try await fixture.deleteUser(alice.id)
        }
        #expect(!(await authorizer.stillAuthorized(grant, sourceId: fixture.first.id)))
        #expect(await authorizer.accessVersion() != version)
    }
}

/// An auth service over two sources (`first`, `second`), on the server
/// fixture's file or on a fresh PostgreSQL database.
private struct AuthorizerWorld {
    struct Named { let id: String }
    let auth: AuthService
    let first: Named
    let second: Named
    /// Deletes a user behind the service's back, as the sqlite3 CLI or psql would.
    let deleteUser: @Sendable (String) async throws -> Void
    let cleanUp: @Sendable () -> Void

    static func make(_ engine: Engine) async throws -> AuthorizerWorld {
        switch engine {
        case .sqlite:
            let fixture = try await Fixture()
            return AuthorizerWorld(auth: fixture.auth, first: Named(id: fixture.first.id), second: Named(id: fixture.second.id),
                                   deleteUser: { id in
                                       try await fixture.store.pool.base.write { try $0.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id]) }
                                   },
                                   cleanUp: { fixture.remove() })
        case .postgres:
            let cluster = try PostgresCluster.shared()
            let url = try cluster.createDatabase("authorizer")
            let store = try PostgresStore(url: PostgresURL(url))
            try await store.migrate()
            try await store.addSource(id: "first", name: "First", locationId: "loc-1")
            try await store.addSource(id: "second", name: "Second", locationId: "loc-2")
            let database = String(url.split(separator: "/").last!)
            return AuthorizerWorld(auth: try await AuthService(store: store), first: Named(id: "first"), second: Named(id: "second"),
                                   deleteUser: { id in _ = try cluster.psql(database: database, script: "DELETE FROM users WHERE id = '\(id)'") },
                                   cleanUp: { Task { await store.close() } })
        }
    }
}
