import GHLJSON
import Foundation
import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The agency side of GHL's OAuth: the choose-location page, codes, Company tokens, installed
/// locations, location tokens, `/locations/search`, and the install/uninstall webhooks.
@Suite struct AgencyTests {
    static let redirect = "http://127.0.0.1:9/oauth/callback"
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func post(_ client: any TestClientProtocol, _ uri: String, _ form: String, token: String? = nil) async throws -> TestResponse {
        var headers = Self.form
        if let token {
            headers[.authorization] = "Bearer \(token)"
            headers[HTTPField.Name("Version")!] = "2021-07-28"
        }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: form))
    }

    /// Chooses `target` on the page and returns the code the redirect carries, after checking the redirect.
    func choose(_ client: any TestClientProtocol, _ target: String, state: String) async throws -> String {
        let chosen = try await post(client, "/oauth/chooselocation",
            "response_type=code&client_id=sandbox-client&redirect_uri=\(Self.redirect)&scope=contacts.readonly&state=\(state)&target=\(target)")
        #expect(chosen.status == .found)
        let location = try #require(chosen.headers[.location])
        #expect(location.hasPrefix(Self.redirect + "?code="))
        let components = try #require(URLComponents(string: location))
        #expect(components.queryItems?.first { $0.name == "state" }?.value == state)
        return try #require(components.queryItems?.first { $0.name == "code" }?.value)
    }

    func exchange(_ client: any TestClientProtocol, code: String, redirect: String = AgencyTests.redirect) async throws -> TestResponse {
        try await post(client, "/oauth/token",
                       "client_id=sandbox-client&client_secret=sandbox-secret&grant_type=authorization_code&code=\(code)&redirect_uri=\(redirect)")
    }

    @Test func theChooseLocationPageGivesSingleUseCodesForACompanyOrALocationToken() async throws {
        let sandbox = try makeSandbox { $0.locations = 3 }
        try await withRouter(sandbox) { client in
            let page = try await client.execute(
                uri: "/oauth/chooselocation?response_type=code&client_id=sandbox-client&redirect_uri=\(Self.redirect)&scope=x&state=s1", method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("value=\"company\""))
            for location in sandbox.locations { #expect(html.contains("value=\"\(location.locationID)\"")) }
            #expect(html.contains("name=\"state\" value=\"s1\""))
            let wrongClient = try await client.execute(
                uri: "/oauth/chooselocation?response_type=code&client_id=other&redirect_uri=\(Self.redirect)", method: .get)
            #expect(wrongClient.status == .badRequest)

            let companyCode = try await choose(client, "company", state: "s1")
            let company = try await exchange(client, code: companyCode)
            #expect(company.status == .ok)
            let grant = try company.json
            #expect(grant["userType"]?.stringValue == "Company")
            #expect(grant["companyId"]?.stringValue == sandbox.companyID)
            #expect(grant["locationId"] == nil)
            #expect(grant["approvedLocations"]?.arrayValue?.count == 3)
            #expect(try await exchange(client, code: companyCode).status == .unauthorized, "a code works once")

            let location = sandbox.locations[1].locationID
            let locationCode = try await choose(client, location, state: "s2")
            #expect(try await exchange(client, code: locationCode, redirect: "http://127.0.0.1:9/elsewhere").status == .unauthorized,
                    "a code is bound to its redirect_uri")
            let other = try await choose(client, location, state: "s3")
            let located = try await exchange(client, code: other)
            #expect(try located.json["userType"]?.stringValue == "Location")
            #expect(try located.json["locationId"]?.stringValue == location)
            #expect(try await client.api(.get, "/locations/\(location)", token: located.json["access_token"]!.stringValue!).status == .ok)
        }
    }

    @Test func aCompanyTokenListsInstalledLocationsAndMintsLocationTokens() async throws {
        let sandbox = try makeSandbox {
            $0.locations = 3
            $0.installedLocations = 2
        }
        let ids = sandbox.locations.map(\.locationID)
        #expect(sandbox.installedLocations == Array(ids.prefix(2)))
        try await withRouter(sandbox) { client in
            let refreshed = try await post(client, "/oauth/token",
                "client_id=sandbox-client&client_secret=sandbox-secret&grant_type=refresh_token&refresh_token=\(sandbox.companyRefreshToken)&user_type=Company")
            let company = try refreshed.json["access_token"]!.stringValue!
            #expect(try refreshed.json["userType"]?.stringValue == "Company")
            let base = "/oauth/installedLocations?companyId=\(sandbox.companyID)&appId=sandbox"
            let installed = try await client.api(.get, base + "&isInstalled=true", token: company)
            #expect(installed.status == .ok)
            #expect(try installed.json["locations"]?.ids == Array(ids.prefix(2)))
            #expect(try installed.json["count"] == 2)
            let all = try await client.api(.get, base, token: company)
            #expect(try all.json["locations"]?.arrayValue?.map { $0["isInstalled"] } == [true, true, false])
            #expect(try await client.api(.get, base + "&skip=1&limit=1", token: company).json["locations"]?.ids == [ids[1]])
            #expect(try await client.api(.get, "/oauth/installedLocations?companyId=\(sandbox.companyID)&appId=other", token: company).status
                    == .unprocessableContent)
            #expect(try await client.api(.get, "/oauth/installedLocations?companyId=another&appId=sandbox", token: company).status == .forbidden)

            let minted = try await post(client, "/oauth/locationToken", "companyId=\(sandbox.companyID)&locationId=\(ids[0])", token: company)
            #expect(minted.status == .ok)
            #expect(try minted.json["refresh_token"] == nil)
            let locationToken = try minted.json["access_token"]!.stringValue!
            #expect(try await client.api(.get, "/locations/\(ids[0])", token: locationToken).status == .ok)
            #expect(try await client.api(.get, "/locations/\(ids[1])", token: locationToken).status == .forbidden)
            #expect(try await post(client, "/oauth/locationToken", "companyId=\(sandbox.companyID)&locationId=\(ids[2])", token: company).status
                    == .badRequest, "the app is not installed there")
            #expect(try await client.api(.get, base, token: locationToken).status == .unauthorized, "a location token is no Company token")
            #expect(try await client.api(.get, "/locations/\(ids[0])", token: company).status == .ok, "Agency-Access, as GHL's file says")
            #expect(try await client.api(.get, "/contacts/?locationId=\(ids[0])", token: company).status == .forbidden)
            let sdkSpelling = try await client.api(.get, "/oauth/installed-locations?companyId=\(sandbox.companyID)&appId=sandbox&pageSize=1",
                                                   token: company)
            #expect(try sdkSpelling.json["locations"]?.ids == [ids[0]], "the official Python SDK's path and pageSize")
            #expect(try await post(client, "/oauth/location-token", "companyId=\(sandbox.companyID)&locationId=\(ids[1])", token: company).status
                    == .ok)

            let search = try await client.api(.get, "/locations/search?companyId=\(sandbox.companyID)&limit=2&order=desc", token: company)
            #expect(search.status == .ok)
            #expect(try search.json["locations"]?.ids == [ids[2], ids[1]])
        }
    }

    @Test func installingAndUninstallingSendSignedWebhooksAndUninstallEndsTokens() async throws {
        let received = Inbox()
        try await Application(router: received.router).test(.live) { hook in
            let sandbox = try makeSandbox {
                $0.locations = 2
                $0.installedLocations = 1
                $0.webhookURL = "http://127.0.0.1:\(hook.port!)/hook"
            }
            let endpoint = try await sandbox.start()
            let (first, second) = (endpoint.locations[0].locationID, endpoint.locations[1].locationID)
            try await withRouter(sandbox) { client in
                let code = sandbox.authorizationCode(location: first)
                let token = try await exchange(client, code: code).json["access_token"]!.stringValue!
                #expect(try await client.api(.get, "/locations/\(first)", token: token).status == .ok)
                #expect(try sandbox.uninstallApp(location: first))
                #expect(try !sandbox.uninstallApp(location: first), "already uninstalled")
                #expect(try await client.api(.get, "/locations/\(first)", token: token).status == .unauthorized)
            }
            #expect(try sandbox.installApp(location: second))
            #expect(sandbox.installedLocations == [second])
            await sandbox.stop()
            let events = received.items.withLock { $0 }
            #expect(events.count == 2)
            var seen: [String] = []
            for (headers, body) in events {
                try expectSigned(headers, body, by: sandbox)
                let json = try JSONValue(parsing: body)
                #expect(json["companyId"]?.stringValue == sandbox.companyID)
                #expect(json["appId"]?.stringValue == "sandbox")
                #expect(json["webhookId"]?.stringValue != nil)
                seen.append("\(json["type"]!.stringValue!) \(json["locationId"]!.stringValue!)")
            }
            #expect(seen == ["UNINSTALL \(first)", "INSTALL \(second)"])
        }
    }
}
