import Foundation
import GHLAPI
import GHLJSON
import GHLSandbox
import GHLStore
@testable import GHLSync
import GRDB
import Synchronization
import Testing

/// Per-source sync filters against the sandbox: what is kept (compared with
/// the sandbox's own records, judged here by an independent reading of the
/// JSON), what it costs in requests, and what a filter change does.
@Suite(.serialized) struct FilterTests {
    static let counts = RecordCounts(contacts: 2600, opportunities: 1100, orders: 240, transactions: 220, reviews: 250)
    typealias Record = JSONValue
    typealias Keep = (Record) -> Bool

    struct Case {
        var name: String
        var request: FilterRequest
        var keep: [Entity: Keep]
        init(_ name: String, _ request: FilterRequest, _ keep: [Entity: Keep]) {
            self.name = name
            self.request = request
            self.keep = keep
        }
    }

    /// The sandbox's ids of `entity` that `keep` accepts.
    static func expected(_ fixture: SandboxFixture, _ entity: Entity, _ keep: (Record) -> Bool) throws -> Set<String> {
        let kind = SandboxFixture.sandboxEntity(entity)
        return Set(try fixture.sandbox.records(kind, location: fixture.location).filter(keep).map { $0[kind.idKey]!.stringValue! })
    }

    static func live(_ fixture: SandboxFixture, _ entity: Entity) throws -> Set<String> {
        Set(try fixture.storedRecords(entity).keys)
    }

    static func tags(_ r: Record) -> [String] { r["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    static func customValue(_ r: Record, _ id: String) -> String? {
        r["customFields"]?.arrayValue?.first { $0["id"]?.stringValue == id }?["value"]?.stringValue
    }

    /// Created or updated on a day within [from, to] (timestamps are ISO 8601 UTC).
    static func within(_ r: Record, _ entity: Entity, from: String?, to: String?) -> Bool {
        let kind = SandboxFixture.sandboxEntity(entity)
        return [kind.createdKey, kind.updatedKey].contains { key in
            guard let day = r[key]?.stringValue?.prefix(10) else { return false }
            return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
        }
    }

    func customFields(_ fixture: SandboxFixture) async throws -> [String: String] {
        let client = GHLClient(baseURL: fixture.source.apiBase, locationId: fixture.location,
                               auth: PrivateIntegrationToken(fixture.sandbox.locations[0].token))
        return Dictionary(uniqueKeysWithValues: try await client.customFields().map { ($0.string("name")!, $0.id) })
    }

    func filters(_ fixture: SandboxFixture) throws -> String? {
        try fixture.test.row("SELECT filters FROM ghl_sources WHERE id = ?", [fixture.source.id])?["filters"]
    }

    @Test func eachFilterKindKeepsExactlyTheMatchingRecords() async throws {
        let fixture = try await SandboxFixture.start(RecordCounts(contacts: 1200, opportunities: 230, orders: 120, transactions: 120, reviews: 120))
        defer { Task { await fixture.stop() } }
        let fields = try await customFields(fixture)
        let tier = fields["Tier"]!, notes = fields["Notes"]!, score = fields["Score"]!
        let pipelines = try fixture.sandbox.records(.pipelines, location: fixture.location)
        let sales = pipelines[0], other = pipelines[1]
        let salesId = sales["id"]!.stringValue!, otherId = other["id"]!.stringValue!

        let hasCustomer: Keep = { Self.tags($0).contains("customer") }
        let hasVIP: Keep = { Self.tags($0).contains("vip") }
        let isGold: Keep = { Self.customValue($0, tier)?.lowercased() == "gold" }
        let isSilver: Keep = { Self.customValue($0, tier)?.lowercased() == "silver" }
        let recommends: Keep = { Self.customValue($0, notes)?.lowercased().contains("recommend") == true }
        let scored: Keep = { Self.customValue($0, score)?.isEmpty == false }
        let salesOpen: Keep = { $0["pipelineId"]?.stringValue == salesId && $0["status"]?.stringValue == "open" }
        let isSales: Keep = { $0["id"]?.stringValue == salesId }
        let two = [salesId, otherId]
        let twoClosed: Keep = { r in
            two.contains(r["pipelineId"]?.stringValue ?? "") && ["won", "lost"].contains(r["status"]?.stringValue ?? "")
        }
        let isOneOfTwo: Keep = { two.contains($0["id"]?.stringValue ?? "") }
        var inRange: [Entity: Keep] = [:]
        for entity in SyncFilter.datedEntities {
            inRange[entity] = { Self.within($0, entity, from: "2023-03-01", to: "2024-06-30") }
        }
        let none: Keep = { _ in false }
        let salesName = sales["name"]!.stringValue!
        let cases: [Case] = [
            Case("tag", FilterRequest(contactTags: ["customer"]), [.contacts: hasCustomer]),
            Case("two tags", FilterRequest(contactTags: ["customer", "vip"]), [.contacts: { hasCustomer($0) && hasVIP($0) }]),
            Case("field equals, by name", FilterRequest(contactFields: ["tier=gold"]), [.contacts: isGold]),
            Case("field contains, by key", FilterRequest(contactFields: ["contact.notes~RECOMMEND"]), [.contacts: recommends]),
            Case("field exists, by id", FilterRequest(contactFields: ["\(score)?"]), [.contacts: scored]),
            Case("tag and field", FilterRequest(contactTags: ["customer"], contactFields: ["Tier=silver"]),
                 [.contacts: { hasCustomer($0) && isSilver($0) }]),
            Case("one pipeline by name, one status", FilterRequest(pipelines: [salesName], statuses: ["open"]),
                 [.opportunities: salesOpen, .pipelines: isSales]),
            Case("two pipelines by id, two statuses", FilterRequest(pipelines: two, statuses: ["won", "lost"]),
                 [.opportunities: twoClosed, .pipelines: isOneOfTwo]),
            Case("date range", FilterRequest(from: "2023-03-01", to: "2024-06-30"), inRange),
            Case("entities", FilterRequest(entities: ["contacts", "orders"]),
                 [.opportunities: none, .pipelines: none, .payments: none, .reviews: none]),
        ]
        for filterCase in cases {
            _ = try await fixture.engine.setFilter(filterCase.request, sourceId: fixture.source.id)
            let result = try await fixture.run(.full)
            #expect(result.ok, "\(filterCase.name): \(result.results.compactMap(\.error))")
            for entity in Entity.allCases {
                let keep: Keep = filterCase.keep[entity] ?? { _ in true }
                let wanted = try Self.expected(fixture, entity, keep)
                let stored = try Self.live(fixture, entity)
                #expect(stored == wanted, "\(filterCase.name), \(entity.rawValue): \(stored.count) live rows, \(wanted.count) match")
                #expect(!wanted.isEmpty || filterCase.keep[entity] != nil, "\(filterCase.name): \(entity.rawValue) is empty")
            }
            // What is kept is stored exactly as GHL serves it.
            let contacts = try fixture.sandboxRecords(.contacts), stored = try fixture.storedRecords(.contacts)
            #expect(stored.allSatisfy { contacts[$0.key] == $0.value }, "\(filterCase.name): a stored contact differs from GHL")
        }
        // Rows of the entities the last filter leaves out are out of scope, not gone.
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_reviews WHERE deleted_reason = 'out_of_scope'") == 120)
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_reviews WHERE deleted_reason IS NOT 'out_of_scope'") == 0)
    }

    @Test func filtersPushedToGHLSaveRequests() async throws {
        let fixture = try await SandboxFixture.start(Self.counts)
        defer { Task { await fixture.stop() } }
        _ = try await fixture.run(.full)
        let endpoints = ["POST /contacts/search", "POST /opportunities/search", "GET /payments/orders",
                         "GET /payments/transactions", "GET /products/reviews"]
        let unfiltered = endpoints.map { fixture.sandbox.requestCount(location: fixture.location, endpoint: $0).requests }
        let sales = try fixture.sandbox.records(.pipelines, location: fixture.location)[0]["id"]!.stringValue!
        _ = try await fixture.engine.setFilter(FilterRequest(pipelines: [sales], to: "2023-06-30", contactTags: ["customer"]),
                                               sourceId: fixture.source.id)
        fixture.sandbox.resetCounters()
        let result = try await fixture.run(.full)
        #expect(result.ok, "\(result.results.compactMap(\.error))")
        let filtered = endpoints.map { fixture.sandbox.requestCount(location: fixture.location, endpoint: $0).requests }
        for (index, endpoint) in endpoints.enumerated() {
            #expect(filtered[index] < unfiltered[index], "\(endpoint): \(filtered[index]) requests filtered, \(unfiltered[index]) unfiltered")
        }
        let contacts = try Self.expected(fixture, .contacts) { Self.tags($0).contains("customer") && Self.within($0, .contacts, from: nil, to: "2023-06-30") }
        #expect(try Self.live(fixture, .contacts) == contacts)
        let orders = try Self.expected(fixture, .orders) { Self.within($0, .orders, from: nil, to: "2023-06-30") }
        #expect(try Self.live(fixture, .orders) == orders)
        // An incremental run with an API-side contacts filter stays incremental:
        // GHL's filtered total equals the in-scope rows.
        let incremental = try await fixture.run(.incremental, entities: [.contacts])
        #expect(incremental.results[0].mode == .incremental)
    }

    @Test func narrowingMarksRowsOutOfScopeAndWideningBringsThemBack() async throws {
        let fixture = try await SandboxFixture.start(Self.counts)
        defer { Task { await fixture.stop() } }
        _ = try await fixture.run(.full)
        let total = try fixture.test.int("SELECT COUNT(*) FROM ghl_contacts")
        let customers = try Self.expected(fixture, .contacts) { Self.tags($0).contains("customer") }
        let events = Mutex<[ChangeEvent]>([])
        try await fixture.test.store.onCommit { batch in events.withLock { $0 += batch } }

        // Narrow: rows leave the views at once, stay in the file, and the change is broadcast.
        let change = try await fixture.engine.setFilter(FilterRequest(contactTags: ["customer"]), sourceId: fixture.source.id)
        #expect(change.markedOutOfScope[.contacts] == total - customers.count)
        #expect(try Self.live(fixture, .contacts) == customers)
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_contacts") == total)
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_contacts WHERE deleted_reason = 'out_of_scope'") == total - customers.count)
        #expect(try fixture.test.int("SELECT COUNT(*) FROM v_ghl_contacts_recent WHERE source_id = ?", [fixture.source.id]) == customers.count)
        // Each row that left the views is broadcast as a DELETE of the row it was.
        try await fixture.test.store.pollChanges()
        let deletes = events.withLock { $0.filter { $0.table == "ghl_contacts" && $0.operation == .delete } }
        #expect(deletes.count == total - customers.count)
        #expect(deletes.allSatisfy { $0.new == nil && $0.old?.contains(#""deleted_at":null"#) == true })

        // A contact that gains the tag in GHL arrives with the next (incremental) sync.
        let outsider = try fixture.sandbox.records(.contacts, location: fixture.location).first { !Self.tags($0).contains("customer") }!
        let outsiderId = outsider["id"]!.stringValue!
        try fixture.sandbox.update(.contacts, location: fixture.location, id: outsiderId,
                                   patch: ["tags": .array((Self.tags(outsider) + ["customer"]).map { .string($0) })])
        #expect(try await fixture.run(.incremental).ok)
        #expect(try Self.live(fixture, .contacts) == customers.union([outsiderId]))

        // Widen: everything comes back with the next incremental sync, reasons cleared.
        _ = try await fixture.engine.clearFilter(sourceId: fixture.source.id)
        #expect(try filters(fixture) == nil)
        let widened = try await fixture.run(.incremental)
        #expect(widened.ok)
        try fixture.expectEqualToSandbox()
        #expect(try fixture.test.int("SELECT COUNT(*) FROM ghl_contacts WHERE deleted_reason IS NOT NULL OR deleted_at IS NOT NULL") == 0)
        // Every row that came back (the outsider first) is broadcast as an INSERT.
        try await fixture.test.store.pollChanges()
        let inserts = events.withLock { $0.filter { $0.table == "ghl_contacts" && $0.operation == .insert } }
        #expect(inserts.count == total - customers.count)
        #expect(inserts.allSatisfy { $0.old == nil && $0.new != nil })
    }

    @Test func localFilteringAndTheSweepNameTheirReasons() async throws {
        let fixture = try await SandboxFixture.start(Self.counts)
        defer { Task { await fixture.stop() } }
        // Orders can be filtered by GHL on creation time only: the range's start is applied locally.
        _ = try await fixture.engine.setFilter(FilterRequest(from: "2023-01-01", to: "2024-12-31"), sourceId: fixture.source.id)
        _ = try await fixture.run(.full)
        let orders = try fixture.sandbox.records(.orders, location: fixture.location)
        let keptByItsUpdate = try #require(orders.first { r in
            r["createdAt"]!.stringValue! < "2023-01-01" && Self.within(r, .orders, from: "2023-01-01", to: "2024-12-31")
        })
        let leaving = keptByItsUpdate["_id"]!.stringValue!
        let inRange = try #require(orders.first { r in r["createdAt"]!.stringValue!.hasPrefix("2023") })
        let deleted = inRange["_id"]!.stringValue!
        #expect(try Self.live(fixture, .orders).isSuperset(of: [leaving, deleted]))
        let rawBefore: String? = try fixture.test.row("SELECT raw FROM ghl_orders WHERE ghl_order_id = ?", [leaving])?["raw"]
        // Updated now, it was neither created nor updated within the range any more; GHL still returns it.
        try fixture.sandbox.update(.orders, location: fixture.location, id: leaving, patch: ["fulfillmentStatus": "fulfilled"])
        try fixture.sandbox.delete(.orders, location: fixture.location, id: deleted)
        #expect(try await fixture.run(.full).ok)
        func row(_ id: String) throws -> Row? {
            try fixture.test.row("SELECT deleted_reason, raw FROM ghl_orders WHERE ghl_order_id = ?", [id])
        }
        #expect(try row(leaving)?["deleted_reason"] == "out_of_scope")
        #expect(try row(leaving)?["raw"] == rawBefore, "an excluded record is not written")
        #expect(try row(deleted)?["deleted_reason"] == "deleted")
        let expected = try Self.expected(fixture, .orders) { Self.within($0, .orders, from: "2023-01-01", to: "2024-12-31") }
        #expect(try Self.live(fixture, .orders) == expected)
    }

    @Test func badFilterInputChangesNothing() async throws {
        let fixture = try await SandboxFixture.start(RecordCounts(contacts: 300, opportunities: 60, orders: 20, transactions: 20, reviews: 20))
        defer { Task { await fixture.stop() } }
        _ = try await fixture.run(.full)
        _ = try await fixture.engine.setFilter(FilterRequest(contactTags: ["customer"]), sourceId: fixture.source.id)
        let before = try filters(fixture)
        let snapshot = "SELECT group_concat(ghl_contact_id || ':' || ifnull(deleted_reason, '-'), ',') FROM ghl_contacts"
        func rows() throws -> String? { try fixture.test.row(snapshot)?[0] }
        let rowsBefore = try rows()
        let bad: [(FilterRequest, String)] = [
            (FilterRequest(pipelines: ["No Such Pipeline"]), "unknown pipeline No Such Pipeline; the location's pipelines are:"),
            (FilterRequest(from: "2024-05-01", to: "2024-01-01"), "the range's start 2024-05-01 is after its end 2024-01-01"),
            (FilterRequest(from: "2024-13-01"), "the range's start must be a date like 2024-01-31, got 2024-13-01"),
            (FilterRequest(to: "yesterday"), "the range's end must be a date like 2024-01-31, got yesterday"),
            (FilterRequest(contactFields: ["favourite_colour=blue"]), "unknown custom field favourite_colour; the location's contact fields are: Score (contact.score)"),
            (FilterRequest(contactFields: ["tier="]), "--contact-field tier= has an empty value"),
            (FilterRequest(contactFields: ["tier"]), "--contact-field tier is not a rule"),
            (FilterRequest(contactTags: [" "]), "a contact tag must not be empty"),
            (FilterRequest(entities: ["contacts", "leads"]), "unknown entity leads"),
            (FilterRequest(statuses: ["pending"]), "unknown opportunity status pending"),
            (FilterRequest(entities: ["orders"], contactTags: ["vip"]), "contact tags and fields filter contacts, which the filter's entities leave out"),
        ]
        for (request, message) in bad {
            do {
                _ = try await fixture.engine.setFilter(request, sourceId: fixture.source.id)
                Issue.record("\(request) was accepted")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
            #expect(try filters(fixture) == before)
            #expect(try rows() == rowsBefore)
        }
    }
}
