import Foundation
import GHLPostgres
import GHLPostgresTestSupport
import Logging
import PostgresNIO

/// A migrated database of its own on the test process's cluster, with two
/// sources (A and B), a viewer granted only A, a user with no grants, and
/// contacts in both sources.
struct PostgresFixture {
    let cluster: PostgresCluster
    let url: String
    let store: PostgresStore
    let sourceA = "src-a-" + UUID().uuidString.lowercased()
    let sourceB = "src-b-" + UUID().uuidString.lowercased()
    let viewerOfA = "viewer-" + UUID().uuidString.lowercased()
    let stranger = "stranger-" + UUID().uuidString.lowercased()
    static let contactsInA = 3
    static let contactsInB = 5

    /// The database name in the URL.
    var database: String { String(url.split(separator: "/").last!) }

    /// Runs `body` with a new fixture, then closes its store's connections.
    static func with(seeded: Bool = true, _ body: (PostgresFixture) async throws -> Void) async throws {
        let fixture = try await make(seeded: seeded)
        do { try await body(fixture) } catch {
            await fixture.store.close()
            throw error
        }
        await fixture.store.close()
    }

    private static func make(seeded: Bool) async throws -> PostgresFixture {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase("pgtest")
        let fixture = PostgresFixture(cluster: cluster, url: url, store: try PostgresStore(url: PostgresURL(url)))
        try await fixture.store.migrate()
        if seeded { try await fixture.seed() }
        return fixture
    }

    private func seed() async throws {
        try await store.addSource(id: sourceA, name: "A", locationId: "loc-a")
        try await store.addSource(id: sourceB, name: "B", locationId: "loc-b")
        try await store.addUser(id: viewerOfA, email: "\(viewerOfA)@example.com")
        try await store.addUser(id: stranger, email: "\(stranger)@example.com")
        try await store.grant(userId: viewerOfA, sourceId: sourceA)
        for (source, count) in [(sourceA, Self.contactsInA), (sourceB, Self.contactsInB)] {
            for n in 0..<count {
                try await store.addContact(sourceId: source, ghlContactId: "c\(n)", name: "Contact \(n)",
                                           email: "c\(n)@\(source).example", raw: #"{"id": "c\#(n)"}"#)
            }
        }
    }

    /// A connection of its own to the database, as the superuser, outside the store's pool.
    func connection() async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: .init(host: "127.0.0.1", port: cluster.port, username: cluster.superuser, password: nil,
                                 database: database, tls: .disable),
            id: 9, logger: Logger(label: "test"))
    }

    /// `psql` as the superuser, the script run in one transaction unless told otherwise.
    func psql(_ script: String, singleTransaction: Bool = true) throws -> [String] {
        try cluster.psql(database: database, script: script, singleTransaction: singleTransaction).split(separator: "\n").map(String.init)
    }

    /// How many other backends of the database run a query like `pattern`, once
    /// none does or after 10 s: a closed connection's backend goes once the server sees the close.
    func backendsSettled(runningQueryLike pattern: String) async throws -> Int {
        var running: [String] = ["?"]
        for _ in 0..<100 where running != ["0"] {
            running = try psql("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND query LIKE '\(pattern)'
                """)
            if running != ["0"] { try await Task.sleep(for: .milliseconds(100)) }
        }
        return Int(running.first ?? "") ?? -1
    }

    /// `psql` as PostgREST would run a user's request: the user's claims and
    /// the `ghlsync_user` role, then `query`; only the query's rows are printed.
    func psqlAsUser(_ userId: String, _ query: String) throws -> [String] {
        try psql("""
            \\o /dev/null
            SELECT set_config('request.jwt.claims', '{"sub": "\(userId)", "role": "authenticated"}', true);
            SET LOCAL ROLE ghlsync_user;
            \\o
            \(query);
            """)
    }
}
