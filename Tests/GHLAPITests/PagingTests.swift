import Foundation
import GHLModel
import Synchronization
import Testing
@testable import GHLAPI
import GHLJSON

@Suite struct PagingTests {
    static let counts: [GHLResource: Int] = [.contacts: 1234, .legacyContacts: 1234, .opportunities: 250,
                                             .pipelines: 3, .orders: 205, .transactions: 200, .reviews: 99]

    static func server() -> FakeGHL {
        FakeGHL(contacts: 1234, opportunities: 250, pipelines: 3, orders: 205, transactions: 200, reviews: 99)
    }

    @Test(arguments: GHLResource.allCases)
    func everyRecordExactlyOnceInFewestRequests(_ resource: GHLResource) async throws {
        let server = Self.server()
        let pages = try await server.client().allPages(resource)
        let ids = pages.flatMap { $0.records.map(\.id) }
        let expected = Self.counts[resource]!
        #expect(ids.count == expected)
        #expect(Set(ids).count == expected)
        #expect(pages.map(\.index) == Array(0..<pages.count))
        #expect(pages.dropLast().allSatisfy { $0.checkpoint != nil } && pages.last?.checkpoint == nil)
        // Fewest requests: ceil(n / max page), plus one when the cursor cannot tell the end.
        let fewest = resource == .pipelines ? 1 : (expected + resource.maxPageSize - 1) / resource.maxPageSize
        #expect(server.requestCount == fewest)
        #expect(server.requests.allSatisfy { request in
            request.headers.contains { $0 == ("Version", "2021-07-28") }
                && request.headers.contains { $0 == ("Authorization", "Bearer pit-token") }
        })
    }

    @Test func contactsUseSearchWith500PerPage() async throws {
        let server = FakeGHL(contacts: 1001)
        let pages = try await server.client().allPages(.contacts)
        #expect(pages.map(\.records.count) == [500, 500, 1])
        #expect(pages[0].total == 1001)
        let bodies = try server.requests.map { try JSONValue(parsing: $0.body!) }
        #expect(bodies.allSatisfy { $0["pageLimit"] == 500 && $0["locationId"] == "loc-1" })
        #expect(bodies[0]["page"] == 1)
        #expect(bodies[1]["searchAfter"]?.arrayValue?.last == .string(pages[0].records.last!.id))
    }

    @Test func opportunitiesUseSearchWith500PerPageAndTheUpdateFilter() async throws {
        let server = FakeGHL(opportunities: 1001)
        let pages = try await server.client().allPages(.opportunities)
        #expect(pages.map(\.records.count) == [500, 500, 1])
        let bodies = try server.requests.map { try JSONValue(parsing: $0.body!) }
        #expect(server.requests.allSatisfy { $0.method == "POST" && $0.url.hasSuffix("/opportunities/search") })
        #expect(bodies.allSatisfy { $0["limit"] == 500 && $0["locationId"] == "loc-1" && $0["sort"]?.arrayValue?.first?["field"] == "date_added" })
        #expect(bodies[1]["searchAfter"]?.arrayValue?.last == .string(pages[0].records.last!.id))

        let since = Date(timeIntervalSince1970: Double(server.nowMs) / 1000)
        server.update(.opportunities, id: "opportunities-7", field: "status", to: "won")
        let changed = try await server.client().allPages(.opportunities, updatedSince: since).flatMap(\.records)
        #expect(changed.map(\.id) == ["opportunities-7"])
        let incremental = try JSONValue(parsing: server.requests.last!.body!)
        #expect(incremental["filters"]?.arrayValue?.first?["field"] == "date_updated" && incremental["sort"]?.arrayValue?.first?["field"] == "date_updated")
    }

    @Test func recordsAddedOrUpdatedWhilePagingAreSeenOnce() async throws {
        for resource in [GHLResource.contacts, .legacyContacts, .opportunities, .orders, .transactions, .reviews] {
            let server = FakeGHL(contacts: 450, opportunities: 450, orders: 450, transactions: 450, reviews: 450)
            let store: GHLResource = resource == .legacyContacts ? .contacts : resource
            let added = Shared<[String]>([])
            server.onRequest.withLock {
                $0 = { number, server in
                    guard number == 2 else { return }
                    // One record already delivered and one not yet changes; two records are added.
                    let prefix = store.rawValue
                    server.update(store, id: "\(prefix)-1", field: "name", to: "changed early")
                    server.update(store, id: "\(prefix)-440", field: "name", to: "changed late")
                    added.withLock { $0 += [server.add(store), server.add(store)] }
                }
            }
            let ids = try await server.client().allPages(resource, pageSize: 100).flatMap { $0.records }
            #expect(ids.count == 452, "\(resource)")
            #expect(Set(ids.map(\.id)).count == 452, "\(resource)")
            #expect(ids.first { $0.id == "\(store.rawValue)-440" }?.string("name") == "changed late", "\(resource)")
            #expect(added.withLock { Set($0) }.isSubset(of: Set(ids.map(\.id))), "\(resource)")
        }
    }

    @Test func resumesAfterACheckpoint() async throws {
        for resource in [GHLResource.contacts, .opportunities, .orders] {
            let server = FakeGHL(contacts: 1234, opportunities: 250, orders: 205)
            let client = server.client()
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
            let expected = [GHLResource.contacts: 1234, .opportunities: 250, .orders: 205][resource]!
            #expect(all.count == expected && Set(all).count == expected, "\(resource)")
        }
    }

    @Test func updatedSinceIsPushedToTheServer() async throws {
        let server = FakeGHL(contacts: 300, orders: 30, reviews: 10)
        let since = Date(timeIntervalSince1970: Double(server.nowMs + 500) / 1000)
        server.update(.contacts, id: "contacts-7", field: "name", to: "new")
        server.add(.contacts)
        let contacts = try await server.client().allPages(.contacts, updatedSince: since).flatMap(\.records)
        #expect(contacts.map(\.id) == ["contacts-7", "contacts-301"])
        let body = try JSONValue(parsing: server.requests.last!.body!)
        #expect(body["sort"]?.arrayValue?.first?["field"] == "dateUpdated")
        #expect(body["filters"]?.arrayValue?.first?["field"] == "dateUpdated")

        server.add(.orders)
        let orders = try await server.client().allPages(.orders, updatedSince: since).flatMap(\.records)
        #expect(orders.contains { $0.id == "orders-31" })
        #expect(server.requests.last!.url.contains("startAt="))
        _ = try await server.client().allPages(.reviews, updatedSince: since)
        #expect(server.requests.last!.url.contains("startDate="))
    }

    @Test func malformedRecordsAreReportedNotFatal() async throws {
        let server = FakeGHL(opportunities: 5)
        server.add(.opportunities, extra: ["monetaryValue": "lots"])
        server.add(.opportunities, extra: ["id": .null])
        let pages = try await server.client().allPages(.opportunities)
        #expect(pages[0].records.count == 6)
        #expect(pages[0].records[5].unexpectedTypes == ["monetaryValue is a string, expected a number"])
        #expect(pages[0].malformed.map(\.index) == [6])
        #expect(pages[0].malformed[0].reason == "no id")
    }

    @Test func everyEntityHasTheResourceThatFillsIt() {
        for entity in Entity.allCases {
            #expect(GHLResource(entity).entity == entity)
        }
        #expect(GHLResource(.payments) == .transactions && GHLResource(.contacts) == .contacts)
        #expect(GHLResource.legacyContacts.entity == .contacts)
    }

    @Test func location() async throws {
        let location = try await FakeGHL().client().location()
        #expect(location.id == "loc-1" && location.string("name") == "Fake Location" && location["timezone"] == .null)
    }
}
