import Foundation
import GHLModel
import GHLSandbox
import Testing
@testable import GHLAPI
import GHLJSON

/// How the client pages each endpoint, read from the exact requests it sent to the sandbox.
@Suite(.serialized) struct PagingTests {
    /// A sandbox (`contacts` contacts, `others` of every other entity) and a client whose requests are recorded.
    static func withSandbox(contacts: Int = 1234, others: Int = 205,
                            _ body: (GHLSandbox, SandboxLocation, GHLClient, RecordingTransport) async throws -> Void) async throws {
        try await SandboxClientTests.withSandbox(contacts: contacts, others: others) { sandbox, location, plain in
            let (client, sent) = plain.recorded()
            try await body(sandbox, location, client, sent)
        }
    }

    static func entity(_ resource: GHLResource) -> SandboxEntity {
        SandboxClientTests.entities.first { $0.0 == resource }!.1
    }

    @Test(arguments: GHLResource.allCases)
    func everyRecordExactlyOnceInFewestRequests(_ resource: GHLResource) async throws {
        try await Self.withSandbox { sandbox, location, client, sent in
            let pages = try await client.allPages(resource)
            let ids = pages.flatMap { $0.records.map(\.id) }
            let expected = try SandboxClientTests.ids(sandbox, Self.entity(resource), location.locationID)
            #expect(ids.count == expected.count)
            #expect(Set(ids) == Set(expected))
            #expect(pages.map(\.index) == Array(0..<pages.count))
            #expect(pages.dropLast().allSatisfy { $0.checkpoint != nil } && pages.last?.checkpoint == nil)
            // Fewest requests: ceil(n / max page).
            let fewest = resource == .pipelines ? 1 : (expected.count + resource.maxPageSize - 1) / resource.maxPageSize
            #expect(sent.requests.count == fewest)
            #expect(sent.requests.allSatisfy { request in
                request.headers.contains { $0 == ("Version", "2021-07-28") }
                    && request.headers.contains { $0 == ("Authorization", "Bearer \(location.token)") }
            })
        }
    }

    @Test func contactsUseSearchWith500PerPage() async throws {
        try await Self.withSandbox(contacts: 1001, others: 1) { _, location, client, sent in
            let pages = try await client.allPages(.contacts)
            try #require(pages.map(\.records.count) == [500, 500, 1])
            #expect(pages[0].total == 1001)
            let bodies = try sent.requests.map { try JSONValue(parsing: $0.body!) }
            #expect(bodies.allSatisfy { $0["pageLimit"] == 500 && $0["locationId"] == .string(location.locationID) })
            #expect(bodies[0]["page"] == 1)
            #expect(bodies[1]["searchAfter"]?.arrayValue?.last == .string(pages[0].records.last!.id))
        }
    }

    @Test func opportunitiesUseSearchWith500PerPageAndTheUpdateFilter() async throws {
        try await Self.withSandbox(contacts: 1, others: 1001) { sandbox, location, client, sent in
            let pages = try await client.allPages(.opportunities)
            try #require(pages.map(\.records.count) == [500, 500, 1])
            let bodies = try sent.requests.map { try JSONValue(parsing: $0.body!) }
            #expect(sent.requests.allSatisfy { $0.method == "POST" && $0.url.hasSuffix("/opportunities/search") })
            #expect(bodies.allSatisfy {
                $0["limit"] == 500 && $0["locationId"] == .string(location.locationID) && $0["sort"]?.arrayValue?.first?["field"] == "date_added"
            })
            #expect(bodies[1]["searchAfter"]?.arrayValue?.last == .string(pages[0].records.last!.id))

            let since = Date().addingTimeInterval(-1)
            let id = pages[0].records[7].id
            try sandbox.update(.opportunities, location: location.locationID, id: id, patch: ["status": "won"])
            let changed = try await client.allPages(.opportunities, updatedSince: since).flatMap(\.records)
            #expect(changed.map(\.id) == [id])
            let incremental = try JSONValue(parsing: sent.requests.last!.body!)
            #expect(incremental["filters"]?.arrayValue?.first?["field"] == "date_updated"
                && incremental["sort"]?.arrayValue?.first?["field"] == "date_updated")
        }
    }

    /// A record already delivered and one not yet delivered change, and two are added, while a
    /// listing runs: every record comes exactly once, the late change as changed.
    @Test func recordsAddedOrUpdatedWhilePagingAreSeenOnce() async throws {
        try await Self.withSandbox(contacts: 450, others: 450) { sandbox, location, client, _ in
            for resource in [GHLResource.contacts, .legacyContacts, .opportunities, .orders, .transactions, .reviews] {
                let entity = Self.entity(resource)
                let before = try SandboxClientTests.ids(sandbox, entity, location.locationID)
                let late = before[before.count - 10]
                var seen: [GHLRecord] = []
                var added: [String] = []
                for try await page in client.pages(resource, pageSize: 100) {
                    seen += page.records
                    guard page.index == 0 else { continue }
                    for (id, value) in [(before[0], "changed early"), (late, "changed late")] {
                        try sandbox.update(entity, location: location.locationID, id: id, patch: ["ghlsyncTest": .string(value)])
                    }
                    for _ in 0..<2 {
                        let created = try sandbox.create(entity, location: location.locationID, fields: ["ghlsyncTest": "new"])
                        added.append(created[entity.idKey]!.stringValue!)
                    }
                }
                let ids = seen.map(\.id)
                #expect(ids.count == before.count + 2, "\(resource)")
                #expect(Set(ids) == Set(before + added), "\(resource)")
                #expect(seen.first { $0.id == late }?.string("ghlsyncTest") == "changed late", "\(resource)")
            }
        }
    }

    @Test func resumesAfterACheckpoint() async throws {
        try await Self.withSandbox(others: 250) { sandbox, location, client, _ in
            for resource in [GHLResource.contacts, .opportunities, .orders] {
                var firstRun: [String] = []
                var checkpoint: PageCheckpoint?
                for try await page in client.pages(resource, pageSize: 50) {
                    firstRun += page.records.map(\.id)
                    checkpoint = page.checkpoint
                    if page.index == 1 { break }
                }
                // The checkpoint survives a round trip through storage.
                let stored = try JSONEncoder().encode(checkpoint!)
                let restored = try JSONDecoder().decode(PageCheckpoint.self, from: stored)
                let rest = try await client.allPages(resource, resumeFrom: restored)
                #expect(rest.first?.index == 2)
                let all = firstRun + rest.flatMap { $0.records.map(\.id) }
                let expected = try SandboxClientTests.ids(sandbox, Self.entity(resource), location.locationID)
                #expect(all.count == expected.count && Set(all) == Set(expected), "\(resource)")
            }
        }
    }

    @Test func updatedSinceIsPushedToTheServer() async throws {
        try await Self.withSandbox(contacts: 300, others: 30) { sandbox, location, client, sent in
            let since = Date().addingTimeInterval(-1)
            let updated = try SandboxClientTests.ids(sandbox, .contacts, location.locationID)[7]
            try sandbox.update(.contacts, location: location.locationID, id: updated, patch: ["firstName": "New"])
            let created = try sandbox.create(.contacts, location: location.locationID, fields: ["firstName": "Added"])
            let contacts = try await client.allPages(.contacts, updatedSince: since).flatMap(\.records)
            #expect(contacts.count == 2 && Set(contacts.map(\.id)) == [updated, created["id"]!.stringValue!])
            let body = try JSONValue(parsing: sent.requests.last!.body!)
            #expect(body["sort"]?.arrayValue?.first?["field"] == "dateUpdated")
            #expect(body["filters"]?.arrayValue?.first?["field"] == "dateUpdated")

            let order = try sandbox.create(.orders, location: location.locationID, fields: ["ghlsyncTest": "new"])
            let orders = try await client.allPages(.orders, updatedSince: since).flatMap(\.records)
            #expect(orders.contains { $0.id == order["_id"]!.stringValue! })
            #expect(sent.requests.last!.url.contains("startAt="))
            _ = try await client.allPages(.reviews, updatedSince: since)
            #expect(sent.requests.last!.url.contains("startDate="))
        }
    }

    /// A record without an id is reported, one with a field of the wrong type is kept with a note.
    @Test func malformedRecordsAreReportedNotFatal() async throws {
        try await Self.withSandbox(contacts: 1, others: 5) { sandbox, location, client, _ in
            try sandbox.create(.opportunities, location: location.locationID, fields: ["monetaryValue": "lots"])
            try sandbox.addFault(FaultRule(.recordWithoutId, next: 1, path: "/opportunities"))
            let pages = try await client.allPages(.opportunities)
            try #require(pages.count == 1)
            try #require(pages[0].records.count == 5)
            #expect(pages[0].records.last?.unexpectedTypes == ["monetaryValue is a string, expected a number"])
            #expect(pages[0].malformed.map(\.index) == [0])
            #expect(pages[0].malformed.first?.reason == "no id")
        }
    }

    @Test func everyEntityHasTheResourceThatFillsIt() {
        for entity in Entity.allCases {
            #expect(GHLResource(entity).entity == entity)
        }
        #expect(GHLResource(.payments) == .transactions && GHLResource(.contacts) == .contacts)
        #expect(GHLResource.legacyContacts.entity == .contacts)
    }
}
