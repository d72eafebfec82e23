import GHLPostgres
import Testing

/// `--db postgres://...` parsing: the parts, the TLS mode, and clear refusals.
@Suite struct PostgresURLTests {
    @Test func partsAndSSLModeAreReadAndThePasswordStaysOutOfTheDescription() throws {
        let url = try PostgresURL("postgresql://agency:s%40cret@db.example:6543/ghl?sslmode=require")
        #expect(url.user == "agency")
        #expect(url.host == "db.example")
        #expect(url.port == 6543)
        #expect(url.database == "ghl")
        #expect(url.sslMode == "require")
        #expect(url.description == "postgres://agency@db.example:6543/ghl?sslmode=require")
        #expect(try PostgresURL("postgres://me@localhost/x").port == 5432)
    }

    @Test func whatIsNotAPostgresURLIsToldApart() {
        #expect(PostgresURL.isPostgres("postgres://u@h/d"))
        #expect(!PostgresURL.isPostgres("agency.sqlite"))
        #expect(throws: PostgresStoreError.self) { try PostgresURL("postgres://u@h:5432/") }
        #expect(throws: PostgresStoreError.self) { try PostgresURL("postgres://h:5432/db") }
        #expect(throws: PostgresStoreError.self) { try PostgresStore(url: PostgresURL("postgres://u@h/db?sslmode=sometimes")) }
    }
}
