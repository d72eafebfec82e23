import Foundation
import Testing
@testable import GHLStore

/// The store's APIs over users, sessions and grants (GHLAuth's tests cover
/// the rules on top: email validation, hashing, tokens).
@Suite struct AuthTablesTests {
    static func user(_ name: String) -> User {
        User(id: "id-\(name)", email: "\(name)@example.com", createdAt: "2024-01-01T00:00:00.000Z", lastSignInAt: nil, hasPassword: true)
    }

    @Test func usersAreFoundByIdAndEmailWithoutCaseAndEmailsAreUnique() async throws {
        let db = try TestDatabase()
        let ann = Self.user("ann")
        #expect(try await db.store.insertUser(ann, passwordHash: "hash-a"))
        #expect(try await !db.store.insertUser(User(id: "other", email: "ANN@example.com", createdAt: ann.createdAt, lastSignInAt: nil,
                                              hasPassword: false), passwordHash: nil))
        #expect(try await db.store.user(id: ann.id) == ann)
        #expect(try await db.store.user(email: "Ann@Example.com") == ann)
        #expect(try await db.store.user(id: "nobody") == nil)
        let found = try #require(try await db.store.userWithPasswordHash(email: ann.email))
        #expect(found.user == ann && found.passwordHash == "hash-a")
        #expect(try await db.store.insertUser(User(id: "t", email: "token@example.com", createdAt: ann.createdAt, lastSignInAt: nil,
                                             hasPassword: false), passwordHash: nil))
        #expect(try await db.store.user(id: "t")?.hasPassword == false)
        #expect(try await db.store.usersWithGrants().map(\.user.email) == ["ann@example.com", "token@example.com"])
    }

    @Test func sessionsRotateOnceRevokeAndEndOnReplay() async throws {
        let db = try TestDatabase()
        let ann = Self.user("ann")
        _ = try await db.store.insertUser(ann, passwordHash: nil)
        let now = "2024-01-01T00:00:00.000Z"
        for (id, token) in [("s1", "t1"), ("s2", "t2"), ("s3", "t3")] {
            try await db.store.insertSession(id: id, userId: ann.id, tokenHash: token, createdAt: now, expiresAt: "2099-01-01T00:00:00.000Z")
        }
        #expect(try await db.store.userOfLiveSession("s1", userId: ann.id)?.lastSignInAt == now)
        #expect(try await db.store.userOfLiveSession("s1", userId: "someone-else") == nil)
        let rotated = try #require(try await db.store.rotateRefreshToken(presented: "t1", next: "t1b", now: now))
        #expect(rotated.sessionId == "s1" && rotated.userId == ann.id)
        #expect(try await db.store.rotateRefreshToken(presented: "t1b", next: "t1c", now: "2100-01-01T00:00:00.000Z") == nil, "expired")
        #expect(try await db.store.rotateRefreshToken(presented: "t1", next: "t1x", now: now) == nil, "replayed")
        #expect(try await db.store.userOfLiveSession("s1", userId: ann.id) == nil, "a replay ends the session")
        try await db.store.revokeSessions(of: ann.id, .allExcept("s2"), at: now)
        #expect(try await db.store.userOfLiveSession("s2", userId: ann.id) != nil)
        #expect(try await db.store.userOfLiveSession("s3", userId: ann.id) == nil)
        try await db.store.revokeSessions(of: ann.id, .only("s2"), at: now)
        #expect(try await db.store.userOfLiveSession("s2", userId: ann.id) == nil)
    }

    @Test func grantsAreSetReplacedAndRemovedAndMoveTheVersion() async throws {
        let db = try TestDatabase()
        let ann = Self.user("ann")
        _ = try await db.store.insertUser(ann, passwordHash: nil)
        let a = try await db.addSource("a")
        let version = try await db.store.grantsVersion()
        #expect(try await !db.store.setGrant("viewer", userId: "ghost", sourceId: a))
        await #expect(throws: StoreError.unknownSource("nope")) { try await db.store.setGrant("viewer", userId: ann.id, sourceId: "nope") }
        #expect(try await db.store.setGrant("viewer", userId: ann.id, sourceId: a))
        #expect(try await db.store.setGrant("owner", userId: ann.id, sourceId: a))
        #expect(try await db.store.usersWithGrants().first?.grants == [a: "owner"])
        #expect(try await db.store.grantsVersion() == version + 2)
        #expect(try await db.store.stillHolds(userId: ann.id, sourceId: a, sessionId: nil))
        #expect(try await db.store.removeGrant(userId: ann.id, sourceId: a))
        #expect(try await !db.store.removeGrant(userId: ann.id, sourceId: a))
        #expect(try await !db.store.stillHolds(userId: ann.id, sourceId: a, sessionId: nil))
        #expect(try await db.store.grantsVersion() == version + 3)
    }

    @Test func aScopeHoldsTheUsersOwnSourcesInTheStoresOrderWithRoles() async throws {
        let db = try TestDatabase()
        let ann = Self.user("ann")
        _ = try await db.store.insertUser(ann, passwordHash: nil)
        let (a, b, c) = await (try db.addSource("a"), try db.addSource("b", currency: "EUR"), try db.addSource("c"))
        _ = try await db.store.setGrant("editor", userId: ann.id, sourceId: c)
        _ = try await db.store.setGrant("viewer", userId: ann.id, sourceId: b)
        let scope = try await db.store.accessScope(of: ann.id)
        #expect(scope.sourceIds == [b, c] && !scope.sourceIds.contains(a))
        #expect(scope.grants.map(\.sourceId) == (try await db.store.sources().map(\.id).filter { $0 != a }))
        let granted = try #require(scope.grants.first { $0.sourceId == b })
        #expect([granted.name, granted.locationId, granted.currency, granted.role] == ["b", "loc-b", "EUR", "viewer"])
        #expect(scope.role(on: c) == "editor" && scope.role(on: a) == nil)
        #expect(try await db.store.accessScope(of: "nobody").sourceIds.isEmpty)
    }

    /// Ann viewing source a (not b), her scope already cached.
    static func annViewsA() async throws -> (TestDatabase, User, a: String, b: String, AccessScopes) {
        let db = try TestDatabase()
        let ann = user("ann")
        _ = try await db.store.insertUser(ann, passwordHash: nil)
        let (a, b) = await (try db.addSource("a"), try db.addSource("b"))
        _ = try await db.store.setGrant("viewer", userId: ann.id, sourceId: a)
        let scopes = AccessScopes(store: db.store)
        #expect(try await scopes.scope(of: ann.id).sourceIds == [a])
        return (db, ann, a, b, scopes)
    }

    /// The cache serves a scope while the grants version stands, and the next
    /// read after any grant change (from any process) sees the change.
    @Test func cachedScopesFollowEveryGrantChange() async throws {
        let (db, ann, a, b, scopes) = try await Self.annViewsA()
        // Another process (a second store on the file) grants, changes a role, revokes.
        let other = try Store(path: db.path)
        _ = try await other.setGrant("viewer", userId: ann.id, sourceId: b)
        #expect(try await scopes.scope(of: ann.id).sourceIds == [a, b])
        _ = try await other.setGrant("owner", userId: ann.id, sourceId: b)
        #expect(try await scopes.scope(of: ann.id).role(on: b) == "owner")
        _ = try await other.removeGrant(userId: ann.id, sourceId: a)
        #expect(try await scopes.scope(of: ann.id).sourceIds == [b])
        try await other.pool.base.write { try $0.execute(sql: "DELETE FROM ghl_sources WHERE id = ?", arguments: [b]) }
        #expect(try await scopes.scope(of: ann.id).sourceIds.isEmpty, "a deleted source's grants go with it")
    }

    /// While nothing changes, the cache answers without reading the grants:
    /// a row written behind the triggers' back (they are what keeps the
    /// version) stays unseen until the version moves.
    @Test func aScopeIsReadOncePerGrantsVersion() async throws {
        let (db, ann, a, b, scopes) = try await Self.annViewsA()
        try await db.store.pool.base.write { db in
            try db.execute(sql: "DROP TRIGGER user_sources_version_insert")
            try db.execute(sql: "INSERT INTO user_sources (user_id, source_id, role, created_at) VALUES (?, ?, 'viewer', '')",
                           arguments: [ann.id, b])
        }
        #expect(try await scopes.scope(of: ann.id).sourceIds == [a], "served from the cache")
        #expect(try await db.store.accessScope(of: ann.id).sourceIds == [a, b], "a fresh read sees the row")
        try await db.store.pool.base.write { try $0.execute(sql: "UPDATE auth_grants_version SET version = version + 1") }
        #expect(try await scopes.scope(of: ann.id).sourceIds == [a, b])
    }

    /// A request's access check: the user of a live session with the scope of
    /// the moment, and nothing for another user's, a revoked or an unknown session.
    @Test func aLiveSessionComesWithItsUsersCurrentScope() async throws {
        let (db, ann, a, b, scopes) = try await Self.annViewsA()
        let bob = Self.user("bob")
        _ = try await db.store.insertUser(bob, passwordHash: nil)
        for (id, user) in [("s-ann", ann), ("s-bob", bob)] {
            try await db.store.insertSession(id: id, userId: user.id, tokenHash: id, createdAt: "2024-01-01T00:00:00.000Z",
                                             expiresAt: "2099-01-01T00:00:00.000Z")
        }
        let found = try #require(try await scopes.liveSession("s-ann", userId: ann.id))
        #expect(found.user.email == ann.email && found.user.lastSignInAt == "2024-01-01T00:00:00.000Z")
        #expect(found.scope.sourceIds == [a] && found.scope.role(on: a) == "viewer")
        _ = try await db.store.setGrant("owner", userId: ann.id, sourceId: b)
        #expect(try await scopes.liveSession("s-ann", userId: ann.id)?.scope.role(on: b) == "owner")
        #expect(try await scopes.liveSession("s-bob", userId: bob.id)?.scope.sourceIds == [])
        #expect(try await scopes.liveSession("s-bob", userId: ann.id) == nil, "another user's session")
        #expect(try await scopes.liveSession("s-none", userId: ann.id) == nil)
        try await db.store.revokeSessions(of: ann.id, .all, at: "2024-01-02T00:00:00.000Z")
        #expect(try await scopes.liveSession("s-ann", userId: ann.id) == nil, "revoked")
    }
}
