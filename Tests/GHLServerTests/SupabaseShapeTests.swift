import Foundation
import GHLServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The answers Supabase's clients rely on beyond plain rows: HEAD and counts,
/// single objects, CSV, ranges, sign-out and the dashboard's refresh cookie.
@Suite struct SupabaseShapeTests {
    static let contacts = "/rest/v1/v_ghl_contacts_recent"

    static func headers(_ token: String, _ extra: [String: String] = [:]) -> HTTPFields {
        var fields = RouterTests.bearer(token)
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    @Test func headCountsAndRangesAnswerAsPostgREST() async throws {
        let fixture = try await Fixture()
        let first = fixture.first.id
        try await fixture.test { client in
            let counted = Self.headers(fixture.viewer, ["Prefer": "count=exact"])
            try await client.execute(uri: Self.contacts, method: .head, headers: counted) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentRange] == "0-2/3")
                #expect(response.body.readableBytes == 0)
            }
            let ranged = Self.headers(fixture.viewer, ["Prefer": "count=exact", "Range": "1-1"])
            try await client.execute(uri: Self.contacts + "?order=ghl_contact_id", method: .get, headers: ranged) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "1-1/3")
                try #expect(RouterTests.rows(response).map { $0["ghl_contact_id"] as? String } == ["a2"])
            }
            try await client.execute(uri: Self.contacts + "?offset=7", method: .get, headers: counted) { response in
                try RouterTests.expectError(response, .rangeNotSatisfiable, code: "PGRST103", containing: "only 3 rows")
            }
            try await client.execute(uri: Self.contacts + "?source_id=eq.\(first)&offset=3", method: .get, headers: counted) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "*/3")
            }
        }
    }

    @Test func singleObjectsAndCSV() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let object = Self.headers(fixture.viewer, ["Accept": "application/vnd.pgrst.object+json"])
            try await client.execute(uri: Self.contacts + "?ghl_contact_id=eq.a1&select=id:ghl_contact_id,email", method: .get,
                                     headers: object) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/vnd.pgrst.object+json") == true)
                let body = try RouterTests.object(response)
                #expect(body["id"] as? String == "a1" && body["email"] as? String == "ana@example.com" && body.count == 2)
            }
            for (filter, count) in [("", 3), ("?ghl_contact_id=eq.nope", 0)] {
                try await client.execute(uri: Self.contacts + filter, method: .get, headers: object) { response in
                    try RouterTests.expectError(response, .notAcceptable, code: "PGRST116", containing: "contains \(count) rows")
                }
            }
            let csv = Self.headers(fixture.viewer, ["Accept": "text/csv"])
            try await client.execute(uri: Self.contacts + "?select=ghl_contact_id,email&order=ghl_contact_id.desc", method: .get,
                                     headers: csv) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                #expect(String(buffer: response.body) == "ghl_contact_id,email\r\na3,\r\na2,bob@example.com\r\na1,ana@example.com\r\n")
            }
            // An empty answer still names its columns, whether or not the filter left any source to read.
            for filter in ["ghl_contact_id=eq.nope", "source_id=eq.\(fixture.second.id)"] {
                try await client.execute(uri: Self.contacts + "?select=id:ghl_contact_id&\(filter)", method: .get, headers: csv) { response in
                    #expect(String(buffer: response.body) == "id\r\n")
                }
            }
        }
    }

    @Test func logoutEndsSessionsAndTheDashboardCookieCarriesTheRefreshToken() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let signIn = #"{"email":"viewer@example.com","password":"\#(Fixture.password)"}"#
            // The dashboard asks for the cookie: the body then carries no refresh token.
            let (access, cookie) = try await client.execute(
                uri: "/auth/v1/token?grant_type=password", method: .post,
                headers: [HTTPField.Name("X-Refresh-Cookie")!: "1", HTTPField.Name("X-Forwarded-Proto")!: "https"],
                body: RouterTests.json(signIn)) { response in
                #expect(response.status == .ok)
                let setCookie = try #require(response.headers[.setCookie])
                for attribute in ["Path=/auth/v1", "HttpOnly", "SameSite=Strict", "Secure"] {
                    #expect(setCookie.contains(attribute), "\(setCookie)")
                }
                let body = try RouterTests.object(response)
                #expect(body["refresh_token"] as? String == "")
                return (try #require(body["access_token"] as? String), String(setCookie.split(separator: ";")[0]))
            }
            // Over plain HTTP the cookie is not Secure (a browser would drop it on http://localhost otherwise).
            try await client.execute(uri: "/auth/v1/token?grant_type=password", method: .post,
                                     headers: [HTTPField.Name("X-Refresh-Cookie")!: "1"], body: RouterTests.json(signIn)) { response in
                #expect(response.headers[.setCookie]?.contains("Secure") == false)
            }
            // A reload resumes through the cookie alone.
            let renewed = try await client.execute(uri: "/auth/v1/token?grant_type=refresh_token", method: .post,
                                                   headers: [.cookie: cookie, HTTPField.Name("X-Refresh-Cookie")!: "1"],
                                                   body: RouterTests.json("{}")) { response in
                #expect(response.status == .ok)
                return String(try #require(response.headers[.setCookie]).split(separator: ";")[0])
            }
            #expect(renewed != cookie)
            try await client.execute(uri: "/auth/v1/logout?scope=sideways", method: .post, headers: RouterTests.bearer(access)) { response in
                try RouterTests.expectError(response, .badRequest, code: "validation_failed")
            }
            try await client.execute(uri: "/auth/v1/logout?scope=local", method: .post,
                                     headers: RouterTests.bearer(access).merging([.cookie: renewed])) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/auth/v1/token?grant_type=refresh_token", method: .post,
                                     headers: [.cookie: renewed], body: RouterTests.json("{}")) { response in
                try RouterTests.expectError(response, .badRequest, code: "refresh_token_not_found")
            }
            // The viewer's other session (the fixture's token) survived a local sign-out; a global one ends it.
            try await client.execute(uri: "/auth/v1/user", method: .get, headers: RouterTests.bearer(fixture.viewer)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/auth/v1/logout", method: .post, headers: RouterTests.bearer(fixture.viewer)) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: Self.contacts, method: .get, headers: RouterTests.bearer(fixture.viewer)) { response in
                try RouterTests.expectError(response, .unauthorized, code: "PGRST301")
            }
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        merged.append(contentsOf: other)
        return merged
    }
}
