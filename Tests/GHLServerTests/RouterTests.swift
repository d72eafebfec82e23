import Foundation
import GHLAuth
import GHLServer
import GHLStore
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every route of the HTTP front, in-process.
@Suite struct RouterTests {
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }
    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func rows(_ response: TestResponse) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
    }

    /// An error answer in the shape of the API it came from: GoTrue's
    /// `{code, error_code, msg}` under /auth/v1, PostgREST's `{code, details,
    /// hint, message}` under /rest/v1, else `{status, message}`; `code` is the
    /// machine-readable code the first two carry.
    static func expectError(_ response: TestResponse, _ status: HTTPResponse.Status, code: String? = nil,
                            containing text: String = "") throws {
        #expect(response.status == status)
        let body = try object(response)
        let message: String
        if let goTrue = body["msg"] as? String {
            #expect(body["code"] as? Int == Int(status.code))
            #expect(code == nil || body["error_code"] as? String == code)
            message = goTrue
        } else if body.keys.contains("details") {
            #expect(Set(body.keys) == ["code", "details", "hint", "message"])
            #expect(code == nil || body["code"] as? String == code)
            message = try #require(body["message"] as? String) + " " + (body["details"] as? String ?? "")
        } else {
            #expect(code == nil)
            #expect(body["status"] as? Int == Int(status.code))
            message = try #require(body["message"] as? String)
        }
        #expect(!message.isEmpty)
        #expect(text.isEmpty || message.contains(text), "message (and details) was: \(message)")
    }

    // MARK: health, metrics, dashboard

    @Test func healthzAnswersOK() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
        }
    }

    @Test func metricsArePrometheusText() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            _ = try await client.execute(uri: "/functions/v1/run-ghl-all", method: .post, headers: Self.bearer(fixture.owner),
                                         body: Self.json(#"{"source_id":"\#(fixture.first.id)","mode":"full"}"#))
            try await client.execute(uri: "/metrics", method: .get, headers: Self.bearer(Fixture.metricsToken)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE ghlsync_sync_runs_total counter"))
                #expect(text.contains(#"ghlsync_sync_runs_total{entity="contacts",outcome="ok"} 1"#))
                #expect(text.contains(#"ghlsync_sync_failures_total{entity="reviews"} 1"#))
                #expect(text.contains(#"ghlsync_sync_records_total{entity="contacts"} 10"#))
                #expect(text.contains(#"ghlsync_sync_duration_seconds_count{kind="run-all"} 1"#))
                #expect(text.contains("ghlsync_realtime_clients 0"))
                #expect(text.contains("ghlsync_ghl_api_rate_limited_total 0"))
            }
        }
    }

    @Test func dashboardIsServedAtRoot() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<title>ghlsync dashboard</title>"))
            }
            try await client.execute(uri: "/realtime.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("phx_join"))
            }
        }
    }

    @Test func unknownRouteIsJSON404() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                try Self.expectError(response, .notFound, containing: "no route for GET /nope")
            }
        }
    }

    // MARK: auth

    @Test func passwordGrantReturnsSupabaseShapedSession() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let refreshToken = try await client.execute(uri: "/auth/v1/token?grant_type=password", method: .post,
                                                        body: Self.json(#"{"email":"owner@example.com","password":"\#(Fixture.password)"}"#)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect(body["token_type"] as? String == "bearer")
                #expect(body["expires_in"] as? Int == 3600)
                #expect((body["user"] as? [String: Any])?["email"] as? String == "owner@example.com")
                // The access token it hands out opens the API.
                let access = try #require(body["access_token"] as? String)
                try await client.execute(uri: "/auth/v1/user", method: .get, headers: Self.bearer(access)) { response in
                    #expect(response.status == .ok)
                }
                return try #require(body["refresh_token"] as? String)
            }
            try await client.execute(uri: "/auth/v1/token?grant_type=refresh_token", method: .post,
                                     body: Self.json(#"{"refresh_token":"\#(refreshToken)"}"#)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect((body["access_token"] as? String)?.isEmpty == false)
                #expect(body["refresh_token"] as? String != refreshToken)
            }
            // A refresh token is single use.
            try await client.execute(uri: "/auth/v1/token?grant_type=refresh_token", method: .post,
                                     body: Self.json(#"{"refresh_token":"\#(refreshToken)"}"#)) { response in
                try Self.expectError(response, .badRequest, code: "refresh_token_not_found")
            }
        }
    }

    @Test func badSignInsAreRefusedWithMessages() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            for credentials in [#"{"email":"owner@example.com","password":"wrong password"}"#,
                                #"{"email":"nobody@example.com","password":"wrong password"}"#] {
                try await client.execute(uri: "/auth/v1/token?grant_type=password", method: .post,
                                         body: Self.json(credentials)) { response in
                    try Self.expectError(response, .badRequest, code: "invalid_credentials", containing: "Invalid login credentials")
                }
            }
            try await client.execute(uri: "/auth/v1/token?grant_type=password", method: .post,
                                     body: Self.json(#"{"email":"owner@example.com"}"#)) { response in
                try Self.expectError(response, .unprocessableContent, containing: "password is required")
            }
            try await client.execute(uri: "/auth/v1/token?grant_type=password", method: .post, body: Self.json("{nope")) { response in
                try Self.expectError(response, .unprocessableContent, containing: "not valid JSON")
            }
            try await client.execute(uri: "/auth/v1/token", method: .post, body: Self.json("{}")) { response in
                try Self.expectError(response, .badRequest, containing: "grant_type")
            }
        }
    }

    @Test func forgedExpiredAndRevokedTokensAre401() async throws {
        let fixture = try await Fixture()
        // Signed with another file's key: well formed, wrong signature.
        let other = try await Fixture()
        let foreign = try await other.auth.issueToken(for: other.auth.accounts.user(email: "owner@example.com").id).accessToken
        // The owner's token with the payload swapped for the viewer's: the signature no longer matches.
        let owner = fixture.owner.split(separator: ".")
        let tampered = [owner[0], fixture.viewer.split(separator: ".")[1], owner[2]].joined(separator: ".")
        // Signed with the right key, but already expired.
        let expiring = try await AuthService(store: fixture.store, hasher: Fixture.cheapHasher, accessTokenLifetime: -120)
        let viewerId = try await fixture.auth.accounts.user(email: "viewer@example.com").id
        let expired = try await expiring.issueToken(for: viewerId).accessToken
        // Valid until its session was signed out.
        let session = try await fixture.auth.issueToken(for: viewerId)
        let signedOut = session.accessToken
        try await fixture.auth.signOut(userId: viewerId, sessionId: fixture.auth.verify(accessToken: signedOut).sessionId, scope: .local)

        try await fixture.test { client in
            for token in ["forged", foreign, tampered, expired, signedOut, fixture.owner + "x"] {
                try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get, headers: Self.bearer(token)) { response in
                    try Self.expectError(response, .unauthorized, containing: "invalid or expired token")
                }
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get, headers: Self.bearer(fixture.viewer)) { response in
                #expect(response.status == .ok)
            }
        }
        other.remove()
    }

    @Test func currentUserListsSourcesAndRoles() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            try await client.execute(uri: "/auth/v1/user", method: .get) { response in
                try Self.expectError(response, .unauthorized)
            }
            try await client.execute(uri: "/auth/v1/user", method: .get, headers: Self.bearer("forged")) { response in
                try Self.expectError(response, .forbidden, code: "bad_jwt")
            }
            try await client.execute(uri: "/auth/v1/user", method: .get, headers: Self.bearer(fixture.viewer)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect(body["email"] as? String == "viewer@example.com")
                #expect(body["aud"] as? String == "authenticated")
                #expect(body["user_metadata"] as? [String: Any] != nil)
                let sources = try #require((body["app_metadata"] as? [String: Any])?["sources"] as? [[String: Any]])
                #expect(sources.count == 1)
                #expect(sources[0]["id"] as? String == fixture.first.id)
                #expect(sources[0]["role"] as? String == "viewer")
                #expect(sources[0]["location_id"] as? String == "loc-alpha")
            }
        }
    }

    // MARK: rest

    @Test func viewsNeedAToken() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get) { response in
                try Self.expectError(response, .unauthorized, containing: "Bearer")
            }
        }
    }

    @Test func viewRowsAreScopedOrderedAndPaged() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let uri = "/rest/v1/v_ghl_contacts_recent?source_id=eq.\(fixture.first.id)&order=date_updated.desc&limit=2&offset=0"
            try await client.execute(uri: uri, method: .get, headers: Self.bearer(fixture.owner)) { response in
                #expect(response.status == .ok)
                let rows = try Self.rows(response)
                #expect(rows.map { $0["ghl_contact_id"] as? String } == ["a2", "a3"])
                #expect(rows[1]["contact_name"] as? String == "Zoë Ångström")
                #expect(rows[1]["email"] is NSNull)
                #expect(rows[0]["source_id"] as? String == fixture.first.id)
                #expect(response.headers[.contentRange] == "0-1/*")
            }
            var headers = Self.bearer(fixture.owner)
            headers[HTTPField.Name("Prefer")!] = "count=exact"
            try await client.execute(uri: uri.replacingOccurrences(of: "offset=0", with: "offset=2"), method: .get, headers: headers) { response in
                let rows = try Self.rows(response)
                #expect(rows.map { $0["ghl_contact_id"] as? String } == ["a1"])
                #expect(response.headers[.contentRange] == "2-2/3")
                #expect(response.status == .partialContent)
            }
            // Without a source filter the owner sees both sources, the viewer only theirs.
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get, headers: Self.bearer(fixture.owner)) { response in
                let rows = try Self.rows(response)
                #expect(rows.count == 4)
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get, headers: Self.bearer(fixture.viewer)) { response in
                let rows = try Self.rows(response)
                #expect(rows.count == 3)
                #expect(rows.allSatisfy { $0["source_id"] as? String == fixture.first.id })
            }
        }
    }

    @Test func searchFiltersWithPostgRESTSyntax() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let uri = "/rest/v1/v_ghl_contacts_recent?source_id=eq.\(fixture.first.id)&or=(contact_name.ilike.*BOB*,email.ilike.*BOB*)"
            try await client.execute(uri: uri, method: .get, headers: Self.bearer(fixture.viewer)) { response in
                let rows = try Self.rows(response)
                #expect(rows.map { $0["ghl_contact_id"] as? String } == ["a2"])
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?email=is.null&select=ghl_contact_id", method: .get,
                                     headers: Self.bearer(fixture.owner)) { response in
                let rows = try Self.rows(response)
                #expect(rows.count == 1)
                #expect(rows[0].keys.sorted() == ["ghl_contact_id"])
            }
        }
    }

    @Test func viewerCannotReadAnotherSource() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?source_id=eq.\(fixture.second.id)", method: .get,
                                     headers: Self.bearer(fixture.viewer)) { response in
                // As PostgREST under row-level security: nothing, and no word of whether the source exists.
                #expect(response.status == .ok)
                try #expect(Self.rows(response).isEmpty)
                #expect(response.headers[.contentRange] == "*/*")
            }
            try await client.execute(uri: "/rest/v1/v_ghl_dashboard_summary?source_id=in.(\(fixture.first.id),\(fixture.second.id))",
                                     method: .get, headers: Self.bearer(fixture.viewer)) { response in
                try #expect(Self.rows(response).map { $0["source_id"] as? String } == [fixture.first.id])
            }
            // A filter on another column naming the other source's data still only sees the viewer's rows.
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?email=eq.secret@beta.example", method: .get,
                                     headers: Self.bearer(fixture.viewer)) { response in
                let rows = try Self.rows(response)
                #expect(rows.isEmpty)
            }
        }
    }

    @Test func grantChangesApplyToTheNextRequest() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let uri = "/rest/v1/v_ghl_contacts_recent?source_id=eq.\(fixture.first.id)"
            try await client.execute(uri: uri, method: .get, headers: Self.bearer(fixture.viewer)) { response in
                let rows = try Self.rows(response)
                #expect(rows.count == 3)
            }
            let viewerId = try await fixture.auth.accounts.user(email: "viewer@example.com").id
            try await fixture.auth.accounts.revoke(userId: viewerId, sourceId: fixture.first.id)
            try await client.execute(uri: uri, method: .get, headers: Self.bearer(fixture.viewer)) { response in
                #expect(response.status == .ok)
                try #expect(Self.rows(response).isEmpty)
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent", method: .get, headers: Self.bearer(fixture.viewer)) { response in
                let rows = try Self.rows(response)
                #expect(rows.isEmpty)
            }
            // The scope is cached per grants version: granting again is seen by the next request too.
            try await fixture.auth.accounts.grant(.viewer, to: viewerId, on: fixture.first.id)
            try await client.execute(uri: uri, method: .get, headers: Self.bearer(fixture.viewer)) { response in
                try #expect(Self.rows(response).count == 3)
            }
        }
    }

    @Test func unknownViewsAndBadParametersAreRefused() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let owner = Self.bearer(fixture.owner)
            try await client.execute(uri: "/rest/v1/ghl_contacts", method: .get, headers: owner) { response in
                try Self.expectError(response, .notFound, code: "PGRST205", containing: "Could not find the table")
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?order=password.desc", method: .get, headers: owner) { response in
                try Self.expectError(response, .badRequest, code: "42703", containing: "column v_ghl_contacts_recent.password does not exist")
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?limit=-1", method: .get, headers: owner) { response in
                try Self.expectError(response, .badRequest, code: "PGRST100", containing: "limit")
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?email=like", method: .get, headers: owner) { response in
                try Self.expectError(response, .badRequest, code: "PGRST100", containing: "operator")
            }
            try await client.execute(uri: "/rest/v1/v_ghl_contacts_recent?order=email.sideways", method: .get, headers: owner) { response in
                try Self.expectError(response, .badRequest, containing: "sideways")
            }
        }
    }

    @Test func everyViewAnswers() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            for view in ReportingViews.names {
                try await client.execute(uri: "/rest/v1/\(view)?source_id=eq.\(fixture.first.id)", method: .get,
                                         headers: Self.bearer(fixture.owner)) { response in
                    #expect(response.status == .ok, "\(view)")
                    _ = try Self.rows(response)
                }
            }
            try await client.execute(uri: "/rest/v1/v_ghl_dashboard_summary?source_id=eq.\(fixture.first.id)", method: .get,
                                     headers: Self.bearer(fixture.owner)) { response in
                let rows = try Self.rows(response)
                #expect(rows.count == 1)
                #expect(rows[0]["contacts_count"] as? Int == 3)
                #expect(rows[0]["source_name"] as? String == "Alpha Dental")
            }
        }
    }

    /// A read naming one source runs under a scope of just that source: every
    /// view answers it exactly as the owner's whole scope, filtered, does.
    @Test func oneSourceReadsMatchTheWholeScopeFiltered() async throws {
        let fixture = try await Fixture()
        for (index, source) in [fixture.first.id, fixture.second.id].enumerated() {
            func record(_ id: String, _ values: [String: StoreValue]) -> EntityRecord {
                EntityRecord(ghlId: id, values: values, raw: #"{"id":"\#(id)"}"#,
                             ghlCreatedAt: "2024-05-0\(index + 1)T10:00:00.000Z", ghlUpdatedAt: "2024-05-0\(index + 1)T10:00:00.000Z")
            }
            try await fixture.store.upsert(.pipelines, sourceId: source, records: [
                record("p1", ["name": "Sales", "stages": #"[{"id":"s1","name":"New"},{"id":"s2","name":"Won"}]"#]),
            ])
            try await fixture.store.upsert(.opportunities, sourceId: source, records: [
                record("o1", ["pipeline_id": "p1", "pipeline_stage_id": "s1", "status": "open", "monetary_value": .real(10.0 * Double(index + 1))]),
                record("o2", ["pipeline_id": "p1", "pipeline_stage_id": "s2", "status": "won", "monetary_value": 7.0]),
            ])
            try await fixture.store.upsert(.payments, sourceId: source, records: [
                record("t1", ["status": "succeeded", "amount": .real(3.0 + Double(index)), "currency": "USD"]),
            ])
            try await fixture.store.upsert(.reviews, sourceId: source, records: [record("v1", ["rating": .real(4.0 + Double(index))])])
        }
        try await fixture.test { client in
            let owner = Self.bearer(fixture.owner)
            for view in ReportingViews.names where view != "v_ghl_sync_status" {
                let whole = try await client.execute(uri: "/rest/v1/\(view)", method: .get, headers: owner)
                let expected = try Self.rows(whole).filter { $0["source_id"] as? String == fixture.first.id }
                #expect(!expected.isEmpty, "\(view)")
                let one = try await client.execute(uri: "/rest/v1/\(view)?source_id=eq.\(fixture.first.id)", method: .get, headers: owner)
                #expect(NSArray(array: try Self.rows(one)).isEqual(to: expected), "\(view)")
            }
            var counted = owner
            counted[HTTPField.Name("Prefer")!] = "count=exact"
            let contradictory = "/rest/v1/v_ghl_contacts_recent?source_id=eq.\(fixture.first.id)&source_id=eq.\(fixture.second.id)"
            try await client.execute(uri: contradictory, method: .get, headers: counted) { response in
                #expect(response.status == .ok)
                let rows = try Self.rows(response)
                #expect(rows.isEmpty)
                #expect(response.headers[.contentRange] == "*/0")
            }
        }
    }

    // MARK: functions

    @Test func runAllNeedsAnEditorOrOwner() async throws {
        let fixture = try await Fixture()
        let body = Self.json(#"{"source_id":"\#(fixture.first.id)","mode":"full"}"#)
        try await fixture.test { client in
            try await client.execute(uri: "/functions/v1/run-ghl-all", method: .post, body: body) { response in
                try Self.expectError(response, .unauthorized)
            }
            try await client.execute(uri: "/functions/v1/run-ghl-all", method: .post, headers: Self.bearer(fixture.viewer), body: body) { response in
                try Self.expectError(response, .forbidden, containing: "viewer")
            }
            try await client.execute(uri: "/functions/v1/run-ghl-all", method: .post, headers: Self.bearer(fixture.viewer),
                                     body: Self.json(#"{"source_id":"\#(fixture.second.id)"}"#)) { response in
                try Self.expectError(response, .forbidden, containing: "no access")
            }
            try await client.execute(uri: "/functions/v1/poll-ghl-contacts", method: .post, headers: Self.bearer(fixture.viewer), body: body) { response in
                try Self.expectError(response, .forbidden)
            }
        }
        #expect(fixture.sync.calls.withLock { $0 }.isEmpty)
    }

    @Test func runAllReturnsTheSeedsAggregate() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            try await client.execute(uri: "/functions/v1/run-ghl-all", method: .post, headers: Self.bearer(fixture.owner),
                                     body: Self.json(#"{"source_id":"\#(fixture.first.id)","locationId":"loc-alpha","mode":"full","pageSize":100}"#)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect(body["ok"] as? Bool == false)
                let results = try #require(body["results"] as? [[String: Any]])
                #expect(results.count == 6)
                #expect(results.filter { $0["ok"] as? Bool == true }.count == 5)
                let failed = try #require(results.first { $0["entity"] as? String == "reviews" })
                #expect(failed["error"] as? String == "GHL answered 503")
                #expect((body["counts"] as? [String: Int])?["contacts"] == 10)
            }
            try await client.execute(uri: "/functions/v1/poll-ghl-opportunities", method: .post, headers: Self.bearer(fixture.owner),
                                     body: Self.json(#"{"source_id":"\#(fixture.second.id)"}"#)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect(body["ok"] as? Bool == true)
                #expect(body["count"] as? Int == 7)
                #expect(body["pages"] as? Int == 2)
            }
        }
        #expect(fixture.sync.calls.withLock { $0 } == ["run-all \(fixture.first.id) full", "poll opportunities \(fixture.second.id) incremental"])
    }

    @Test func badFunctionBodiesAre422() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let owner = Self.bearer(fixture.owner)
            let cases: [(String, String)] = [
                ("{}", "source_id is required"),
                (#"{"source_id": 7}"#, "source_id must be a string"),
                (#"{"source_id":"\#(fixture.first.id)","mode":"sometimes"}"#, #"mode must be "full" or "incremental""#),
                (#"{"source_id":"\#(fixture.first.id)","pageSize":0}"#, "pageSize must be from 1"),
                (#"{"source_id":"\#(fixture.first.id)","locationId":"loc-beta"}"#, "is not the location"),
                ("[1,2]", "JSON object"),
                ("", "empty"),
            ]
            for (body, message) in cases {
                try await client.execute(uri: "/functions/v1/run-ghl-all", method: .post, headers: owner, body: Self.json(body)) { response in
                    try Self.expectError(response, .unprocessableContent, containing: message)
                }
            }
            try await client.execute(uri: "/functions/v1/poll-ghl-invoices", method: .post, headers: owner,
                                     body: Self.json(#"{"source_id":"\#(fixture.first.id)"}"#)) { response in
                try Self.expectError(response, .notFound, containing: "poll-ghl-contacts")
            }
        }
        #expect(fixture.sync.calls.withLock { $0 }.isEmpty)
    }

    // MARK: webhooks

    @Test func webhooksGoToTheSyncIntake() async throws {
        let fixture = try await Fixture()
        try await fixture.test { client in
            let payload = #"{"type":"ContactUpdate","locationId":"loc-alpha","id":"a1"}"#
            try await client.execute(uri: "/webhooks/ghl", method: .post, headers: [HTTPField.Name("x-ghl-signature")!: "good"],
                                     body: Self.json(payload)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect(body["ok"] as? Bool == true)
            }
            try await client.execute(uri: "/webhooks/ghl", method: .post, headers: [HTTPField.Name("x-ghl-signature")!: "bad"],
                                     body: Self.json(payload)) { response in
                try Self.expectError(response, .unauthorized, containing: "signature")
            }
        }
        let received = fixture.sync.webhooks.withLock { $0 }
        #expect(received.count == 1)
        #expect(String(decoding: received[0].body, as: UTF8.self) == #"{"type":"ContactUpdate","locationId":"loc-alpha","id":"a1"}"#)
        #expect(fixture.metrics.value("ghlsync_webhooks_total", ["outcome": "rejected"]) == 1)
    }
}
