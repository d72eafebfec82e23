import Foundation
import Testing
@testable import GHLStore

/// The store names what is wrong with a source or filter in its own terms;
/// no front end's flag or command appears in its messages.
@Suite struct SourceProblemTests {
    @Test func aBadSourceIsRefusedWithItsProblem() async throws {
        let db = try TestDatabase()
        let cases: [(StoreError, () async throws -> Source)] = [
            (.invalidSource(.emptyName), { try await db.store.addSource(name: " ", locationId: "l", tokenEnv: "T", tokenFile: nil) }),
            (.invalidSource(.emptyLocationId), { try await db.store.addSource(name: "n", locationId: "", tokenEnv: "T", tokenFile: nil) }),
            (.invalidSource(.apiBaseNotHTTP("ftp://x")),
             { try await db.store.addSource(name: "n", locationId: "l", apiBase: "ftp://x", tokenEnv: "T", tokenFile: nil) }),
            (.invalidSource(.tokenNotExactlyOne), { try await db.store.addSource(name: "n", locationId: "l", tokenEnv: nil, tokenFile: nil) }),
            (.invalidSource(.tokenNotExactlyOne), { try await db.store.addSource(name: "n", locationId: "l", tokenEnv: "T", tokenFile: "/f") }),
        ]
        for (expected, add) in cases {
            await #expect(throws: expected) { try await add() }
        }
        #expect(try await db.store.sources().isEmpty)
    }

    @Test func aBadFilterIsRefusedWithItsProblem() {
        let cases: [(StoreError, SyncFilter)] = [
            (.invalidFilter(.notADay(.from, "2024-13-01")), SyncFilter(from: "2024-13-01")),
            (.invalidFilter(.reversedRange(from: "2024-05-01", to: "2024-01-01")), SyncFilter(from: "2024-05-01", to: "2024-01-01")),
            (.invalidFilter(.noEntities), SyncFilter(entities: [])),
            (.invalidFilter(.contactPartsWithoutContacts), SyncFilter(entities: [.orders], contactRules: [.tag("vip")])),
        ]
        for (expected, filter) in cases {
            #expect(throws: expected) { try filter.validate() }
        }
    }

    @Test func messagesNameNoFlagOrCommand() {
        let errors: [StoreError] = [
            .missingFile("/x.sqlite"), .unknownSource("s"), .invalidSource(.emptyName), .invalidSource(.emptyLocationId),
            .invalidSource(.apiBaseNotHTTP("x")), .invalidSource(.tokenNotExactlyOne), .invalidFilter(.notADay(.to, "x")),
            .invalidFilter(.reversedRange(from: "b", to: "a")), .invalidFilter(.noEntities),
            .invalidFilter(.opportunityPartsWithoutOpportunities), .invalidFilter(.contactPartsWithoutContacts),
        ]
        for error in errors {
            #expect(!error.description.contains("--") && !error.description.contains("`ghlsync"), "\(error.description)")
        }
    }
}
