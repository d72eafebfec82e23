import Foundation
import GRDB
import GHLStore
import GHLStoreTestSupport
@testable import GHLAuth

/// A fresh file with two sources, each holding one contact, and an auth
/// service over it with a cheap scrypt setting (the standard one is tested on
/// its own): alice has a grant on A, bob on B.
struct AuthFixture {
    static let cheapHasher = PasswordHasher(logRounds: 10, blockSize: 8, parallelism: 1)

    let directory: URL
    let store: Store
    let auth: AuthService
    let sourceA: String
    let sourceB: String
    let alice: User
    let bob: User
    var databasePath: String { store.path }
    var keyPath: String { store.path + ".keys" }

    init(accessTokenLifetime: TimeInterval = 3600) async throws {
        let temp = try TempStore("auth")
        (directory, store) = (temp.directory, temp.store)
        auth = try await AuthService(store: store, hasher: Self.cheapHasher, accessTokenLifetime: accessTokenLifetime)
        sourceA = try await temp.addSource(name: "Alpha", locationId: "loc-a", tokenEnv: "A_TOKEN").id
        sourceB = try await temp.addSource(name: "Beta", locationId: "loc-b", tokenEnv: "B_TOKEN").id
        for source in [sourceA, sourceB] {
            try await store.upsert(.contacts, sourceId: source, records: [
                EntityRecord(ghlId: "c-\(source)", values: ["email": .text("x@\(source).test")],
                             raw: "{}", ghlCreatedAt: nil, ghlUpdatedAt: nil)])
        }
        alice = try await auth.accounts.addUser(email: "Alice@Example.com", password: "alice-password-1")
        bob = try await auth.accounts.addUser(email: "bob@example.com", password: "bob-password-22")
        try await auth.accounts.grant(.viewer, to: alice.id, on: sourceA)
        try await auth.accounts.grant(.owner, to: bob.id, on: sourceB)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
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
