import Foundation
import GRDB
import GHLPostgres
import GHLPostgresTestSupport
import GHLStore
import GHLStoreTestSupport
@testable import GHLAuth

/// A fresh database of `engine` with two sources, and an auth service over it
/// with a cheap scrypt setting (the standard one is tested on its own): alice
/// has a grant on A, bob on B. On SQLite each source holds one contact.
struct AuthFixture {
    static let cheapHasher = PasswordHasher(logRounds: 10, blockSize: 8, parallelism: 1)

    let directory: URL
    /// The SQLite file (nil on PostgreSQL).
    let file: Store?
    let accounts: any AccountStore
    /// The PostgreSQL database's URL (nil on SQLite).
    let url: String?
    let auth: AuthService
    let sourceA: String
    let sourceB: String
    let alice: User
    let bob: User
    /// The SQLite file, for the tests about files only.
    var store: Store { file! }
    var databasePath: String { store.path }
    var keyPath: String { store.path + ".keys" }

    init(_ engine: Engine = .sqlite, accessTokenLifetime: TimeInterval = 3600) async throws {
        switch engine {
        case .sqlite:
            let temp = try TempStore("auth")
            (directory, file, accounts, url) = (temp.directory, temp.store, temp.store, nil)
            sourceA = try await temp.addSource(name: "Alpha", locationId: "loc-a", tokenEnv: "A_TOKEN").id
            sourceB = try await temp.addSource(name: "Beta", locationId: "loc-b", tokenEnv: "B_TOKEN").id
            for source in [sourceA, sourceB] {
                try await temp.store.upsert(.contacts, sourceId: source, records: [
                    EntityRecord(ghlId: "c-\(source)", values: ["email": .text("x@\(source).test")],
                                 raw: "{}", ghlCreatedAt: nil, ghlUpdatedAt: nil)])
            }
        case .postgres:
            let url = try PostgresCluster.shared().createDatabase("auth")
            let store = try PostgresStore(url: PostgresURL(url))
            try await store.migrate()
            (sourceA, sourceB) = ("src-a", "src-b")
            try await store.addSource(id: sourceA, name: "Alpha", locationId: "loc-a")
            try await store.addSource(id: sourceB, name: "Beta", locationId: "loc-b")
            (directory, file, accounts, self.url) = (FileManager.default.temporaryDirectory, nil, store, url)
        }
        auth = try await AuthService(store: accounts, hasher: Self.cheapHasher, accessTokenLifetime: accessTokenLifetime)
        alice = try await auth.accounts.addUser(email: "Alice@Example.com", password: "alice-password-1")
        bob = try await auth.accounts.addUser(email: "bob@example.com", password: "bob-password-22")
        try await auth.accounts.grant(.viewer, to: alice.id, on: sourceA)
        try await auth.accounts.grant(.owner, to: bob.id, on: sourceB)
    }

    /// The same database opened again, as another process would.
    func reopened() throws -> any AccountStore {
        if let url { return try PostgresStore(url: PostgresURL(url)) }
        return try Store(path: databasePath)
    }

    func cleanUp() {
        if let store = accounts as? PostgresStore {
            Task { await store.close() }
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

/// JWT pieces, built by hand to forge tokens the library would never make.
enum JWTParts {
    static func encode(_ json: String) -> String { base64URL(Data(json.utf8)) }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ part: Substring) -> String {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        return String(decoding: Data(base64Encoded: text) ?? Data(), as: UTF8.self)
    }
}
