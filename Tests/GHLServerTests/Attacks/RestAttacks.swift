import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/rest/v1` requests by A's viewer aimed at B: filters naming B, filters
/// that would match everything, injection through every parameter, other
/// tables as views. `{A}` and `{B}` stand for the sources' ids.
@Suite struct RestAttacks {
    struct Attack: Sendable {
        var name: String
        var uri: String
        var headers: [String: String] = [:]
    }

    static let contacts = "/rest/v1/v_ghl_contacts_recent"

    static let attacks: [Attack] = [
        Attack(name: "filter on B", uri: "\(contacts)?source_id=eq.{B}"),
        Attack(name: "everything but A", uri: "\(contacts)?source_id=neq.{A}"),
        Attack(name: "A and B", uri: "\(contacts)?source_id=in.({A},{B})"),
        Attack(name: "B in an or", uri: "\(contacts)?or=(source_id.eq.{B},source_id.eq.{A})"),
        Attack(name: "match any source", uri: "\(contacts)?source_id=like.*"),
        Attack(name: "match any source, case-blind", uri: "\(contacts)?source_id=ilike.*"),
        Attack(name: "source is null", uri: "\(contacts)?source_id=is.null"),
        Attack(name: "source greater than nothing", uri: "\(contacts)?source_id=gt."),
        Attack(name: "negated filter", uri: "\(contacts)?source_id=not.eq.{A}"),
        Attack(name: "B with chosen columns", uri: "\(contacts)?select=source_id,email,contact_name&source_id=eq.{B}"),
        Attack(name: "huge limit ordered by source", uri: "\(contacts)?order=source_id.desc&limit=100000"),
        Attack(name: "negative limit", uri: "\(contacts)?limit=-1"),
        Attack(name: "negative offset", uri: "\(contacts)?offset=-5"),
        Attack(name: "offset past Int", uri: "\(contacts)?offset=100000000000000000000000"),
        Attack(name: "quote injection in a value", uri: "\(contacts)?email=eq.'%20OR%20'1'='1"),
        Attack(name: "subquery in select", uri: "\(contacts)?select=*,(select%20count(*)%20from%20users)"),
        Attack(name: "subquery in order", uri: "\(contacts)?order=(select%20count(*)%20from%20users)"),
        Attack(name: "aggregate in select", uri: "\(contacts)?select=count(*)"),
        Attack(name: "cast in select", uri: "\(contacts)?select=source_id::text"),
        Attack(name: "like everything", uri: "\(contacts)?first_name=like.%25"),
        Attack(name: "B's contact by name", uri: "\(contacts)?contact_name=eq.Secret%20Beta"),
        Attack(name: "B's domain in an or", uri: "\(contacts)?or=(email.like.*beta*)"),
        Attack(name: "repeated source filter", uri: "\(contacts)?source_id=eq.{B}&source_id=eq.{A}"),
        Attack(name: "NUL in a filter", uri: "\(contacts)?source_id=eq.{A}%00{B}"),
        Attack(name: "exact count of B", uri: "\(contacts)?source_id=eq.{B}", headers: ["Prefer": "count=exact"]),
        Attack(name: "exact count of all", uri: contacts, headers: ["Prefer": "count=exact"]),
        Attack(name: "range header past A", uri: contacts, headers: ["Range": "0-1000"]),
        Attack(name: "base table as a view", uri: "/rest/v1/ghl_contacts"),
        Attack(name: "users as a view", uri: "/rest/v1/users"),
        Attack(name: "sessions as a view", uri: "/rest/v1/auth_sessions"),
        Attack(name: "schema as a view", uri: "/rest/v1/sqlite_master"),
        Attack(name: "statement in the view name", uri: "/rest/v1/v_ghl_contacts_recent%3BSELECT%201"),
        Attack(name: "path traversal", uri: "/rest/v1/..%2F..%2Fusers"),
        Attack(name: "upper-case view name", uri: "/rest/v1/V_GHL_CONTACTS_RECENT"),
        Attack(name: "dashboard of B", uri: "/rest/v1/v_ghl_dashboard_summary?source_id=eq.{B}"),
        Attack(name: "dashboard counts of B", uri: "/rest/v1/v_ghl_dashboard_summary?select=contacts_count&source_id=in.({B})"),
        Attack(name: "revenue of B", uri: "/rest/v1/v_ghl_revenue_summary?source_id=eq.{B}"),
        Attack(name: "reviews of B", uri: "/rest/v1/v_ghl_reviews_summary?source_id=eq.{B}"),
        Attack(name: "stages of B", uri: "/rest/v1/v_ghl_pipeline_stage_summary?source_id=eq.{B}"),
        Attack(name: "opportunities of B", uri: "/rest/v1/v_ghl_opportunities_report?source_id=eq.{B}"),
        Attack(name: "job ids in sync status", uri: "/rest/v1/v_ghl_sync_status?select=source_id,entity,job_id,status"),
        Attack(name: "sync status of B", uri: "/rest/v1/v_ghl_sync_status?source_id=eq.{B}&select=source_id,job_id"),
        Attack(name: "no token", uri: "\(contacts)?source_id=eq.{B}", headers: ["Authorization": ""]),
        Attack(name: "source id in a header", uri: contacts, headers: ["x-source-id": "{B}"]),
    ]

    static func answers(_ fixture: AttackFixture, _ client: any TestClientProtocol) async throws -> [String] {
        var answers: [String] = []
        for attack in attacks {
            let uri = attack.uri.replacingOccurrences(of: "{A}", with: fixture.a).replacingOccurrences(of: "{B}", with: fixture.b)
            var headers: HTTPFields = RouterTests.bearer(fixture.base.viewer)
            for (name, value) in attack.headers {
                let field = HTTPField.Name(name)!
                headers[field] = value.replacingOccurrences(of: "{B}", with: fixture.b)
                if value.isEmpty { headers[field] = nil }
            }
            let response = try await client.execute(uri: uri, method: .get, headers: headers)
            // Keys sorted: the same answer may list an object's members in another order.
            let body = Data(buffer: response.body)
            let normal = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]))
                .flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]) } ?? body
            answers.append("\(response.status.code) \(response.headers[.contentRange] ?? "") \(String(decoding: normal, as: UTF8.self))")
        }
        return answers
    }

    @Test func nothingOfTheOtherSourceReachesARestRead() async throws {
        let fixture = try await AttackFixture()
        #expect(Set(Self.attacks.map(\.name)).count == Self.attacks.count)
        try await fixture.base.test { client in
            let before = try await Self.answers(fixture, client)
            try await fixture.bActivity()
            let after = try await Self.answers(fixture, client)
            for (index, attack) in Self.attacks.enumerated() {
                let request = attack.uri.replacingOccurrences(of: "{B}", with: fixture.b) + "\(attack.headers)".replacingOccurrences(of: "{B}", with: fixture.b)
                #expect(!before[index].hasPrefix("5"), "\(attack.name): \(before[index])")
                #expect(fixture.leaks(before[index] + after[index], request: request).isEmpty, "\(attack.name) leaks: \(after[index])")
                #expect(before[index] == after[index], "\(attack.name) changes with B's activity: \(before[index]) -> \(after[index])")
            }
            #expect(try await fixture.expectNormalRead(client))
        }
    }
}
