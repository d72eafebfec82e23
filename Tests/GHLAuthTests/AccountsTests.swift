import Foundation
import GHLPostgresTestSupport
import GRDB
@testable import GHLStore
import Testing
@testable import GHLAuth

@Suite struct AccountsTests {
    @Test func passwordsAreStoredAsSaltedScryptHashes() throws {
        let hash = try PasswordHasher.standard.hash("correct horse battery")
        #expect(hash.hasPrefix("$scrypt$ln=15,r=8,p=3$") && !hash.contains("correct horse"))
        #expect(PasswordHasher.verify("correct horse battery", against: hash))
        #expect(!PasswordHasher.verify("correct horse batterY", against: hash))
        #expect(try PasswordHasher.standard.hash("correct horse battery") != hash, "salt is random")
        for broken in ["", "$scrypt$", "plain", "$scrypt$ln=40,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA", hash + "x$"] {
            #expect(!PasswordHasher.verify("correct horse battery", against: broken), "\(broken)")
        }
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]) && !constantTimeEquals([1, 2, 3], [1, 2, 4]) && !constantTimeEquals([1], [1, 1]))
    }

    @Test(arguments: Engine.allCases) func usersHaveUniqueValidEmails(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let accounts = fixture.auth.accounts
        #expect(fixture.alice.email == "alice@example.com")
        await #expect(throws: AuthError.duplicateEmail("alice@example.com")) { try await accounts.addUser(email: " ALICE@example.com ") }
        for bad in ["", "alice", "@example.com", "a@b", "a b@example.com", "a@example."] {
            await #expect(throws: AuthError.invalidEmail(bad)) { try await accounts.addUser(email: bad) }
        }
        await #expect(throws: AuthError.self) { try await accounts.addUser(email: "c@example.com", password: "short") }
        await #expect(throws: AuthError.unknownUser("zed@example.com")) { try await accounts.user(email: "zed@example.com") }
        let listing = try await accounts.listUsers()
        #expect(listing.map(\.user.email) == ["alice@example.com", "bob@example.com"])
        #expect(listing.first?.grants == [fixture.sourceA: .viewer])
    }

    @Test func rolesNest() {
        #expect(Role.viewer.allows(.read) && !Role.viewer.allows(.sync) && !Role.viewer.allows(.manage))
        #expect(Role.editor.allows(.read) && Role.editor.allows(.sync) && !Role.editor.allows(.manage))
        #expect(Permission.allCases.allSatisfy { Role.owner.allows($0) })
    }

    @Test(arguments: Engine.allCases) func grantsDecideRolesAndPermissions(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let accounts = fixture.auth.accounts
        #expect(try await accounts.grants(of: fixture.alice.id) == [fixture.sourceA: .viewer])
        try await accounts.grant(.editor, to: fixture.alice.id, on: fixture.sourceA)
        #expect(try await accounts.grants(of: fixture.alice.id) == [fixture.sourceA: .editor], "a grant replaces the role")
        await #expect(throws: StoreError.unknownSource("nope")) { try await accounts.grant(.viewer, to: fixture.alice.id, on: "nope") }
        await #expect(throws: AuthError.unknownUser("ghost")) { try await accounts.grant(.viewer, to: "ghost", on: fixture.sourceA) }
        await #expect(throws: AuthError.noGrant(user: fixture.alice.id, sourceId: fixture.sourceB)) {
            try await accounts.revoke(userId: fixture.alice.id, sourceId: fixture.sourceB)
        }
    }

    @Test(arguments: Engine.allCases) func grantsVersionMovesOnEveryChangeSeenFromAnotherConnection(engine: Engine) async throws {
        let fixture = try await AuthFixture(engine)
        defer { fixture.cleanUp() }
        let accounts = fixture.auth.accounts
        // The database opened again stands for `ghlsync users ...` in another process.
        let other = Accounts(store: try fixture.reopened(), hasher: AuthFixture.cheapHasher)
        var last = try await fixture.accounts.grantsVersion()
        func moved() async throws -> Bool {
            let now = try await fixture.accounts.grantsVersion()
            defer { last = now }
            return now > last
        }
        try await other.grant(.editor, to: fixture.alice.id, on: fixture.sourceA)
        #expect(try await moved())
        try await other.grant(.editor, to: fixture.alice.id, on: fixture.sourceA)
        #expect(try await !moved(), "a grant that changes nothing is not a change")
        try await other.revoke(userId: fixture.alice.id, sourceId: fixture.sourceA)
        #expect(try await moved())
        if let url = fixture.url {
            _ = try PostgresCluster.shared().psql(database: String(url.split(separator: "/").last!),
                                                  script: "DELETE FROM ghl_sources WHERE id = '\(fixture.sourceB)'")
        } else {
            try await fixture.store.pool.base.write { try $0.execute(sql: "DELETE FROM ghl_sources WHERE id = ?", arguments: [fixture.sourceB]) }
        }
        #expect(try await moved(), "a cascade from a deleted source counts")
        try await fixture.auth.signOut(userId: fixture.alice.id, sessionId: try await fixture.auth.issueToken(for: fixture.alice.id).sessionId,
                                       scope: .local)
        #expect(try await moved(), "an ended session counts")
        #expect(try await accounts.grants(of: fixture.bob.id).isEmpty)
    }

    @Test func aRevokedGrantHidesRowsOnTheNextRead() async throws {
        let fixture = try await AuthFixture()
        defer { fixture.cleanUp() }
        let accounts = fixture.auth.accounts
        let reader = ScopedReader(store: fixture.store)
        let session = try await fixture.auth.signIn(email: "alice@example.com", password: "alice-password-1")
        func contactSources() async throws -> [String] {
            let user = try await fixture.auth.verify(accessToken: session.accessToken)
            let rows = try await reader.fetch("SELECT source_id FROM ghl_contacts", scope: fixture.store.accessScope(of: user.userId))
            return rows.rows.map { String.fromDatabaseValue($0[0]) ?? "" }
        }
        #expect(try await contactSources() == [fixture.sourceA])
        try await Accounts(store: try Store(path: fixture.databasePath)).revoke(userId: fixture.alice.id, sourceId: fixture.sourceA)
        #expect(try await contactSources() == [])
        try await accounts.grant(.viewer, to: fixture.alice.id, on: fixture.sourceB)
        #expect(try await contactSources() == [fixture.sourceB])
    }
}
