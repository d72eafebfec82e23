import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuthTests {
    @Test func statusCodesForBadRequests() async throws {
        let sandbox = try makeSandbox { $0.locations = 2 }
        let (a, b) = (sandbox.locations[0], sandbox.locations[1])
        try await withRouter(sandbox) { client in
            let orders = "/payments/orders?altId=\(a.locationID)&altType=location"
            let ok = try await client.api(.get, orders, token: a.token)
            #expect(ok.status == .ok)
            #expect(try await client.api(.get, orders, token: a.token, version: "v3").status == .ok)

            let noToken = try await client.api(.get, orders, token: nil)
            #expect(noToken.status == .unauthorized)
            #expect(try noToken.json["statusCode"] == 401)
            #expect(try noToken.json["message"]?.stringValue != nil)
            #expect(try await client.api(.get, orders, token: "nope").status == .unauthorized)

            let noVersion = try await client.api(.get, orders, token: a.token, version: nil)
            #expect(noVersion.status == .badRequest)
            #expect(try noVersion.json["statusCode"] == 400)
            #expect(try await client.api(.get, orders, token: a.token, version: "1999-01-01").status == .badRequest)

            let other = try await client.api(.get, orders, token: b.token)
            #expect(other.status == .forbidden)
            #expect(try other.json["statusCode"] == 403)
            #expect(try await client.api(.get, "/locations/\(b.locationID)", token: a.token).status == .forbidden)

            let badLimit = try await client.api(.get, orders + "&limit=101", token: a.token)
            #expect(badLimit.status == .unprocessableContent)
            #expect(try badLimit.json["statusCode"] == 422)
            #expect(try await client.api(.get, orders + "&offset=-1", token: a.token).status == .unprocessableContent)
            #expect(try await client.api(.get, orders + "&startAt=yesterday", token: a.token).status == .unprocessableContent)
            #expect(try await client.api(.get, "/payments/orders?altType=location", token: a.token).status == .unprocessableContent)
            #expect(try await client.api(.get, "/contacts/?locationId=\(a.locationID)&limit=0", token: a.token).status == .unprocessableContent)
        }
    }

    @Test func fixedTokenServesEveryLocation() async throws {
        let sandbox = try makeSandbox {
            $0.locations = 2
            $0.fixedToken = "pit-fixed"
        }
        #expect(sandbox.locations.allSatisfy { $0.token == "pit-fixed" })
        try await withRouter(sandbox) { client async throws in
            for location in sandbox.locations {
                #expect(try await client.api(.get, "/locations/\(location.locationID)", token: "pit-fixed").status == .ok)
            }
        }
    }

    @Test func oauthRefreshRotates() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        try await withRouter(sandbox) { client in
            func redeem(_ form: String) async throws -> TestResponse {
                try await client.execute(uri: "/oauth/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: form))
            }
            let first = try await redeem("client_id=sandbox-client&client_secret=sandbox-secret&grant_type=refresh_token&refresh_token=\(location.refreshToken)&user_type=Location")
            #expect(first.status == .ok)
            let tokens = try first.json
            let access = tokens["access_token"]!.stringValue!
            let refresh = tokens["refresh_token"]!.stringValue!
            #expect(tokens["expires_in"] == 86399)
            #expect(tokens["locationId"]?.stringValue == location.locationID)
            #expect(refresh != location.refreshToken)
            let path = "/locations/\(location.locationID)"
            #expect(try await client.api(.get, path, token: access).status == .ok)

            // The used refresh token is dead; the new one works, with camelCase keys too.
            let reused = try await redeem("client_id=sandbox-client&client_secret=sandbox-secret&grant_type=refresh_token&refresh_token=\(location.refreshToken)")
            #expect(reused.status == .unauthorized)
            let second = try await redeem("clientId=sandbox-client&clientSecret=sandbox-secret&grantType=refresh_token&refreshToken=\(refresh)")
            #expect(second.status == .ok)
            let access2 = try second.json["access_token"]!.stringValue!

            sandbox.expireAccessTokens()
            let expired = try await client.api(.get, path, token: access2)
            #expect(expired.status == .unauthorized)
            #expect(try expired.json["message"]?.stringValue?.contains("expired") == true)

            #expect(try await redeem("client_id=x&client_secret=y&grant_type=refresh_token&refresh_token=\(refresh)").status == .unauthorized)
            #expect(try await redeem("client_id=sandbox-client&client_secret=sandbox-secret").status == .unprocessableContent)

            let code = sandbox.authorizationCode(location: location.locationID)
            let byCode = try await redeem("client_id=sandbox-client&client_secret=sandbox-secret&grant_type=authorization_code&code=\(code)")
            #expect(byCode.status == .ok)
        }
    }
}
