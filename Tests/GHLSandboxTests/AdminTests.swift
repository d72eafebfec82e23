import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import GHLJSON

@Suite struct AdminTests {
    @Test func recordsFaultsLimitsAndCountersOverHTTP() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        try await withRouter(sandbox) { client in
            func send(_ method: HTTPRequest.Method, _ path: String, _ json: JSONValue? = nil) async throws -> TestResponse {
                try await client.execute(uri: "/_sandbox" + path, method: method, body: json.map { ByteBuffer(bytes: $0.encoded) })
            }
            let listed = try await send(.get, "/locations").json
            #expect(listed.arrayValue?.first?["token"]?.stringValue == location.token)

            let records = "/records/\(location.locationID)/contacts"
            let created = try await send(.post, records, ["firstName": "Ada", "lastName": "Lovelace", "tags": ["vip"]])
            #expect(created.status == .created)
            let id = try created.json["id"]!.stringValue!
            #expect(try created.json["contactName"] == "Ada Lovelace")
            let patched = try await send(.patch, "\(records)/\(id)", ["lastName": "Byron"]).json
            #expect(patched["contactName"] == "Ada Byron")
            #expect(try await send(.get, "\(records)/\(id)").json == patched)
            #expect(try await send(.get, records).json.ids.last == id)
            #expect(try await send(.delete, "\(records)/\(id)").status == .ok)
            #expect(try await send(.get, "\(records)/\(id)").status == .notFound)
            #expect(try await send(.get, "/records/\(location.locationID)/widgets").status == .notFound)
            #expect(try await send(.post, records, "not an object").status == .unprocessableContent)

            #expect(try await send(.post, "/faults", ["kind": "badGateway", "next": 1]).status == .created)
            #expect(try await send(.post, "/faults", ["kind": "badGateway"]).status == .unprocessableContent)
            let path = "/locations/\(location.locationID)"
            #expect(try await client.api(.get, path, token: location.token).status == .badGateway)
            #expect(try await client.api(.get, path, token: location.token).status == .ok)

            #expect(try await send(.put, "/rate-limit", ["maxRequests": 1, "windowMilliseconds": 60000, "dailyLimit": 10]).status == .ok)
            #expect(try await client.api(.get, path, token: location.token).status == .ok)
            #expect(try await client.api(.get, path, token: location.token).status == .tooManyRequests)
            let counters = try await send(.get, "/counters").json.arrayValue!
            #expect(counters.first { $0["endpoint"] == "GET /locations/{locationId}" }?["rateLimited"] == 1)
            #expect(try await send(.delete, "/counters").status == .ok)
            #expect(try await send(.get, "/counters").json == [])

            let keys = try await send(.get, "/webhooks/keys").json
            #expect(keys["rsaPublicKeyPEM"]?.stringValue?.hasPrefix("-----BEGIN PUBLIC KEY-----") == true)
        }
    }
}
