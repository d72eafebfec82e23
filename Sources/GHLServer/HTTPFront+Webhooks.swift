import Foundation
import Hummingbird

/// `POST /webhooks/ghl`: GHL's webhook deliveries, handed raw to the sync
/// engine's intake, which verifies the signature before storing anything.
extension HTTPFront {
    @Sendable func webhook(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: JSONBody.maxSize)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        do {
            try await sync.receiveWebhook(IncomingWebhook(body: Data(buffer: body), headers: headers))
        } catch {
            metrics.increment("ghlsync_webhooks_total", ["outcome": "rejected"])
            throw error
        }
        metrics.increment("ghlsync_webhooks_total", ["outcome": "applied"])
        return JSONBody.raw(Array(#"{"ok":true}"#.utf8))
    }
}
