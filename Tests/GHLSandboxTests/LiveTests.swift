import AsyncHTTPClient
import Crypto
import Foundation
import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import _CryptoExtras
import GHLJSON

@Suite struct LiveTests {
    func get(_ url: String, token: String) async throws -> (Int, ByteBuffer) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Version", value: "2021-07-28")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), try await response.body.collect(upTo: 1 << 24))
    }

    @Test func startServeCutAndStop() async throws {
        let sandbox = try makeSandbox()
        let endpoint = try await sandbox.start()
        #expect(endpoint.baseURL.hasPrefix("http://127.0.0.1:"))
        #expect(!endpoint.baseURL.hasSuffix(":0"))
        let location = endpoint.locations[0]
        let url = "\(endpoint.baseURL)/opportunities/search?location_id=\(location.locationID)&limit=100"
        let (status, body) = try await get(url, token: location.token)
        #expect(status == 200)
        #expect(try JSONValue(parsing: body.readableBytesView)["opportunities"]?.arrayValue?.count == 31)

        // A cut connection: the client sees an error or a body shorter than promised, never a full page.
        try sandbox.addFault(FaultRule(.cutConnection, next: 1))
        do {
            let (_, cut) = try await get(url, token: location.token)
            #expect(cut.readableBytes < body.readableBytes)
        } catch {
            // Content-Length promised more than came: the response ends early, never as a full page.
            #expect(error is HTTPClientError || error as? HTTPParserError == .invalidEOFState, "\(error)")
        }
        #expect(try await get(url, token: location.token).1 == body)

        await sandbox.stop()
        await #expect(throws: (any Error).self) { try await get(url, token: location.token) }
    }

    @Test func signedWebhooksOnChanges() async throws {
        let received = Inbox()
        try await Application(router: received.router).test(.live) { client in
            let sandbox = try makeSandbox { $0.webhookURL = "http://127.0.0.1:\(client.port!)/hook" }
            _ = try await sandbox.start()
            let location = sandbox.locations[0].locationID
            let contact = try sandbox.create(.contacts, location: location, fields: ["firstName": "Nadia", "tags": ["lead"]])
            let id = contact["id"]!.stringValue!
            try sandbox.update(.contacts, location: location, id: id, patch: ["tags": ["lead", "vip"]])
            let opportunity = try sandbox.records(.opportunities, location: location)[0]
            try sandbox.update(.opportunities, location: location, id: opportunity["id"]!.stringValue!, patch: ["status": "abandoned"])
            let order = try sandbox.records(.orders, location: location)[0]
            try sandbox.update(.orders, location: location, id: order["_id"]!.stringValue!, patch: ["status": "refunded"])
            try sandbox.delete(.contacts, location: location, id: id)
            await sandbox.stop()

            let events = received.items.withLock { $0 }
            var types: [String] = []
            for (headers, body) in events {
                try expectSigned(headers, body, by: sandbox)
                let json = try JSONValue(parsing: body)
                #expect(json["webhookId"]?.stringValue != nil)
                #expect(json["timestamp"]?.stringValue.flatMap(SandboxTime.parse) != nil)
                #expect(json["locationId"]?.stringValue == location)
                types.append(json["type"]!.stringValue!)
            }
            #expect(types == [
                "ContactCreate", "ContactUpdate", "ContactTagUpdate", "OpportunityUpdate", "OpportunityStatusUpdate",
                "OrderStatusUpdate", "ContactDelete",
            ])
            #expect(sandbox.webhookDeliveries.allSatisfy { $0.status == 200 })
        }
    }
}

/// Expects both of GHL's signatures over the raw body, made with the sandbox's keys.
func expectSigned(_ headers: HTTPFields, _ body: [UInt8], by sandbox: GHLSandbox) throws {
    let rsa = try _RSA.Signing.PublicKey(pemRepresentation: sandbox.rsaPublicKeyPEM)
    let edDER = Data(base64Encoded: sandbox.ed25519PublicKeyPEM.split(separator: "\n")[1].description)!
    let ed = try Curve25519.Signing.PublicKey(rawRepresentation: edDER.suffix(32))
    let rsaSignature = Data(base64Encoded: headers[HTTPField.Name("x-wh-signature")!]!)!
    #expect(rsa.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: rsaSignature), for: body, padding: .insecurePKCS1v1_5))
    let edSignature = Data(base64Encoded: headers[HTTPField.Name("x-ghl-signature")!]!)!
    #expect(ed.isValidSignature(edSignature, for: body))
}

/// What the webhook receiver got: headers and raw body of each POST.
final class Inbox: Sendable {
    let items = Mutex<[(HTTPFields, [UInt8])]>([])

    /// A receiver that keeps every `POST /hook`.
    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            self.items.withLock { $0.append((request.headers, Array(body.readableBytesView))) }
            return .ok
        }
        return router
    }
}
