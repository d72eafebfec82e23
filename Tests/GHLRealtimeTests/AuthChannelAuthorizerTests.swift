import Foundation
import GHLAuth
import GHLRealtime
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
        #expect(await authorizer.stillAuthorized(userId: alice.id, sourceId: fixture.sourceA))
        try auth.accounts.revoke(userId: alice.id, sourceId: fixture.sourceA)
        #expect(!(await authorizer.stillAuthorized(userId: alice.id, sourceId: fixture.sourceA)))
    }
}
