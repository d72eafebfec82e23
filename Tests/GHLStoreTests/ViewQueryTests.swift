import Foundation
import GRDB
import Testing
@testable import GHLStore

/// PostgREST's URL grammar (`ViewQuery`): parsing, the SQL it compiles to, and
/// its reads under a scope.
@Suite struct ViewQueryTests {
    static let columns = ["source_id", "ghl_contact_id", "contact_name", "email", "phone", "date_updated"]

    static func parse(_ parameters: [(String, String)]) throws(ViewQueryError) -> ViewQuery {
        try ViewQuery(view: "v_ghl_contacts_recent", columns: columns, parameters: parameters)
    }

    /// The PostgREST code parsing `parameters` fails with, or nil when it parses.
    static func errorCode(_ parameters: [(String, String)]) -> String? {
        do {
            _ = try parse(parameters)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func parsesSelectFiltersLogicOrderAndPaging() throws {
        let query = try Self.parse([
            ("select", "id:ghl_contact_id,email"), ("phone", "not.is.null"), ("email", "ilike.%ann%"),
            ("or", "(contact_name.eq.\"a,b\",and(email.like.x*,phone.not.in.(1,2)))"),
            ("order", "date_updated.desc.nullslast,email"), ("limit", "25"), ("offset", "50"),
        ])
        #expect(query.fields == [.init(column: "ghl_contact_id", alias: "id"), .init(column: "email", alias: "email")])
        #expect(query.conditions == [
            .filter(column: "phone", op: .is, values: ["null"], negated: true),
            .filter(column: "email", op: .ilike, values: ["%ann%"], negated: false),
            .group(any: true, [
                .filter(column: "contact_name", op: .eq, values: ["a,b"], negated: false),
                .group(any: false, [
                    .filter(column: "email", op: .like, values: ["x*"], negated: false),
                    .filter(column: "phone", op: .in, values: ["1", "2"], negated: true),
                ], negated: false),
            ], negated: false),
        ])
        #expect(query.order == [.init(column: "date_updated", descending: true, nullsFirst: false),
                                .init(column: "email", descending: false, nullsFirst: nil)])
        #expect(query.pageSize == 25 && query.offset == 50)
        #expect(try Self.parse([("select", "*")]).fields == nil)
        #expect(try Self.parse([("select", "*,id:ghl_contact_id")]).fields?.count == Self.columns.count + 1)
        #expect(try Self.parse([("not.and", "(email.eq.a,phone.eq.b)")]).conditions
            == [.group(any: false, [.filter(column: "email", op: .eq, values: ["a"], negated: false),
                                    .filter(column: "phone", op: .eq, values: ["b"], negated: false)], negated: true)])
    }

    @Test func rejectsWhatPostgRESTRejectsWithItsCodes() {
        for parameters: [(String, String)] in [
            [("limit", "-1")], [("limit", "ten")], [("offset", "1.5")], [("email", "sideways.x")], [("email", "like")],
            [("order", "email.sideways")], [("email", "in.a,b")], [("email", "is.maybe")], [("or", "email.eq.a")],
            [("or", "(email)")], [("or", "()")], [("select", "a::text")], [("select", "x:")],
        ] {
            #expect(Self.errorCode(parameters) == "PGRST100", "\(parameters)")
        }
        for parameters: [(String, String)] in [
            [("nope", "eq.1")], [("order", "password.desc")], [("select", "email,password")], [("or", "(nope.eq.1)")],
            [("order", "contact_name; DROP TABLE users")], [("\"email\"", "eq.x")],
        ] {
            #expect(Self.errorCode(parameters) == "42703", "\(parameters)")
        }
    }

    @Test func compilesToBoundSQLWithPostgresOperatorMeaning() throws {
        let query = try Self.parse([("email", "not.like.a_b%c*"), ("phone", "ilike.*5\\_5*"), ("contact_name", "is.true"),
                                    ("ghl_contact_id", "isdistinct.7"), ("select", "id:ghl_contact_id")])
        let (sql, arguments) = query.selectSQL(sourceIds: ["s1"])
        #expect(sql == """
            SELECT "ghl_contact_id" AS "id" FROM "v_ghl_contacts_recent" WHERE source_id IN (?) AND NOT ("email" GLOB ?) \
            AND ("phone" LIKE ? ESCAPE '\\') AND ("contact_name" IS 1) AND ("ghl_contact_id" IS NOT ?) LIMIT 1000 OFFSET 0
            """)
        #expect(arguments == ["s1".databaseValue, "a?b*c*".databaseValue, "%5\\_5%".databaseValue, 7.databaseValue])
        #expect(ViewQuery.globPattern("[x]?\\*") == "[[]x][?][*]")
        #expect(try Self.parse([("limit", "99999")]).pageSize == ViewQuery.maxLimit)
    }

    @Test func theSameQueryRendersForPostgresWithNumberedUntypedArguments() throws {
        let query = try Self.parse([("email", "not.like.a_b%c*"), ("phone", "ilike.*5\\_5*"), ("contact_name", "is.true"),
                                    ("ghl_contact_id", "isdistinct.7"), ("or", "(email.in.(x,y),phone.eq.3)"),
                                    ("select", "id:ghl_contact_id"), ("order", "date_updated.desc.nullslast")])
        let (select, count, arguments) = query.postgresSQL(sourceIds: ["s1", "s2"])
        let whereSQL = """
            source_id IN ($1, $2) AND NOT ("email"::text LIKE $3) AND ("phone"::text ILIKE $4) AND ("contact_name" IS TRUE) \
            AND ("ghl_contact_id" IS DISTINCT FROM $5) AND (("email" IN ($6, $7)) OR ("phone" = $8))
            """
        #expect(select == """
            SELECT "ghl_contact_id" AS "id" FROM "v_ghl_contacts_recent" WHERE \(whereSQL) \
            ORDER BY "date_updated" DESC NULLS LAST LIMIT 1000 OFFSET 0
            """)
        #expect(count == "SELECT COUNT(*) FROM \"v_ghl_contacts_recent\" WHERE \(whereSQL)")
        #expect(arguments == ["s1", "s2", "a_b%c%", "%5\\_5%", "7", "x", "y", "3"])
    }

    @Test func rangeHeaderPagesUnlessParametersDo() throws {
        var query = try Self.parse([])
        try query.applyRange("10-34", limitGiven: false, offsetGiven: false)
        #expect(query.offset == 10 && query.pageSize == 25)
        var limited = try Self.parse([("limit", "5")])
        try limited.applyRange("10-", limitGiven: true, offsetGiven: false)
        #expect(limited.offset == 10 && limited.pageSize == 5)
        #expect(throws: ViewQueryError.self) { try query.applyRange("x-3", limitGiven: false, offsetGiven: false) }
        #expect(throws: ViewQueryError.self) { try query.applyRange("5-2", limitGiven: false, offsetGiven: false) }
    }

    @Test func readsFilterOrderPageAndCountUnderTheScope() async throws {
        let fixture = try await TwoSourceFixture()
        defer { fixture.cleanUp() }
        try await TwoSourceFixture.fill(fixture.store, source: fixture.sourceA, user: "user-a", suffix: "-2")
        let reader = ScopedReader(store: fixture.store)
        let columns = try #require(try await fixture.store.reportingViewColumns()["v_ghl_contacts_recent"])
        func read(_ parameters: [(String, String)], scope: AccessScope? = nil) async throws -> ViewPage {
            try await reader.read(ViewQuery(view: "v_ghl_contacts_recent", columns: columns, parameters: parameters),
                                  scope: scope ?? fixture.scopeA, countTotal: true)
        }
        let page = try await read([("source_id", "eq.\(fixture.sourceA)"), ("order", "ghl_contact_id.desc"),
                                   ("limit", "1"), ("offset", "1"), ("select", "id:ghl_contact_id,source_id")])
        #expect(page.rows.columns == ["id", "source_id"])
        #expect(TwoSourceFixture.values(page.rows, "id") == ["c1"])
        #expect(page.total == 2)
        // `%`, `_` and `*` are wildcards; like is case-sensitive, ilike is not.
        #expect(try await read([("email", "like.c@%-2.test")]).total == 1)
        #expect(try await read([("email", "like.C@%")]).total == 0)
        #expect(try await read([("email", "ilike.C@*")]).total == 2)
        #expect(try await read([("email", "ilike.c_%-_.test")]).total == 1)
        #expect(try await read([("email", "not.ilike.*-2*")]).total == 1)
        #expect(try await read([("phone", "is.null"), ("email", "not.is.null")]).total == 2)
        #expect(try await read([("or", "(ghl_contact_id.eq.c1,ghl_contact_id.eq.nope)")]).total == 1)
        #expect(try await read([("not.or", "(ghl_contact_id.eq.c1,ghl_contact_id.eq.nope)")]).total == 1)
        // A source outside the scope reads nothing, filtered alone or beside a granted one.
        #expect(try await read([("source_id", "eq.\(fixture.sourceB)")]).total == 0)
        #expect(try await read([("source_id", "in.(\(fixture.sourceA),\(fixture.sourceB))")]).total == 2)
        #expect(try await read([("source_id", "neq.\(fixture.sourceA)")]).total == 0)
        #expect(try await read([("source_id", "eq.' OR 1=1 --")]).rows.rows.isEmpty)
        let bOnly = try await read([], scope: fixture.scopeB)
        #expect(Set(TwoSourceFixture.values(bOnly.rows, "source_id")) == [fixture.sourceB])
    }
}
