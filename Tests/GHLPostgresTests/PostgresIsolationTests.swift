import GHLPostgres
import Testing

/// Row-level security does the isolation: a viewer of source A reads A's rows
/// and none of B's, through the store and with `psql` as the role with the
/// user's claims ("even with direct SQL, queries are filtered").
@Suite struct PostgresIsolationTests {
    @Test func aViewerOfOneSourceReadsOnlyThatSourceThroughTheStore() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let store = fixture.store, viewer = fixture.viewerOfA
            #expect(try await store.sourceIDs(of: .sources, asUser: viewer) == [fixture.sourceA])
            let contacts = try await store.sourceIDs(of: .contacts, asUser: viewer)
            #expect(contacts == Array(repeating: fixture.sourceA, count: PostgresFixture.contactsInA))
            #expect(try await store.sourceIDs(of: .contactsRecent, asUser: viewer) == contacts)
            #expect(try await store.sourceIDs(of: .dashboardSummary, asUser: viewer) == [fixture.sourceA])
            #expect(try await store.sourceIDs(of: .reviewsSummary, asUser: viewer) == [fixture.sourceA])
            for relation in PostgresRelation.allCases {
                #expect(!(try await store.sourceIDs(of: relation, asUser: viewer)).contains(fixture.sourceB),
                        "\(relation.rawValue) leaks source B")
            }
        }
    }

    @Test func aUserWithNoGrantsReadsNothing() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            for relation in PostgresRelation.allCases {
                #expect(try await fixture.store.sourceIDs(of: relation, asUser: fixture.stranger) == [], "\(relation.rawValue)")
            }
        }
    }

    @Test func aUserIdThatIsNotPlainTextIsStillReadAsItself() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let odd = #"o'brien "\ \#(fixture.viewerOfA)"#
            try await fixture.store.addUser(id: odd, email: "odd-\(fixture.viewerOfA)@example.com")
            try await fixture.store.grant(userId: odd, sourceId: fixture.sourceB)
            #expect(try await fixture.store.sourceIDs(of: .sources, asUser: odd) == [fixture.sourceB])
        }
    }

    @Test func directSQLAsTheUsersRoleAndClaimsIsFilteredByRLSAlone() async throws {
        try await PostgresFixture.with { (fixture: PostgresFixture) async throws in
            let counts = """
                SELECT (SELECT count(*) FROM ghl_contacts WHERE source_id = '\(fixture.sourceA)') || ',' ||
                       (SELECT count(*) FROM ghl_contacts WHERE source_id = '\(fixture.sourceB)') || ',' ||
                       (SELECT count(*) FROM v_ghl_contacts_recent WHERE source_id = '\(fixture.sourceB)') || ',' ||
                       (SELECT count(*) FROM v_ghl_dashboard_summary) || ',' ||
                       (SELECT count(*) FROM ghl_sources WHERE id = '\(fixture.sourceB)')
                """
            let (a, b) = (PostgresFixture.contactsInA, PostgresFixture.contactsInB)
            // The superuser (RLS does not restrict the tables' owner) sees both sources...
            #expect(try fixture.psql(counts) == ["\(a),\(b),\(b),2,1"])
            // ...the viewer of A, with nothing but RLS between it and the tables, sees A and none of B.
            #expect(try fixture.psqlAsUser(fixture.viewerOfA, counts) == ["\(a),0,0,1,0"])
            #expect(try fixture.psqlAsUser(fixture.stranger, counts) == ["0,0,0,0,0"])
            // The user id is computed once per statement (an InitPlan) and the granted
            // sources once (hashed), never a sub-plan run again for each row.
            let plan = try fixture.psqlAsUser(fixture.viewerOfA, "EXPLAIN SELECT * FROM ghl_contacts").joined(separator: "\n")
            #expect(plan.contains("InitPlan"), "\(plan)")
            #expect(!plan.contains("(SubPlan"), "\(plan)")
            // The role has no grant on the product's own tables.
            #expect(throws: (any Error).self) { try fixture.psqlAsUser(fixture.viewerOfA, "SELECT count(*) FROM sync_cursors") }
        }
    }
}
