import Foundation
import Hummingbird

/// `POST /webhooks/ghl`: GHL's webhook deliveries, handed raw to the sync
/// engine's intake, which verifies the signature before storing anything.
///
/// GHL retries a delivery only when it is answered 429 (a 5xx is final), so a
/// delivery that could not be stored, for whatever reason, is answered 429
/// with `Retry-After`; refusals of the delivery itself keep their 4xx.
extension HTTPFront {
    /// What `Retry-After` asks of GHL (which waits about ten minutes anyway).
    static let webhookRetryAfterSeconds = 60

    @Sendable func webhook(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: JSONBody.maxSize)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        do {
            try await sync.receiveWebhook(IncomingWebhook(body: Data(buffer: body), headers: headers))
        } catch {
            let answer = APIError(error, dialect: .ghlsync, path: request.uri.path)
            guard answer.status.code >= 500 || answer.status == .tooManyRequests else {
                metrics.increment("ghlsync_webhooks_total", ["outcome": "rejected"])
                throw answer
            }
            context.logger.warning("webhook not stored; GHL will retry it", metadata: ["error": "\(error)"])
            metrics.increment("ghlsync_webhooks_total", ["outcome": "deferred"])
            let message = answer.status == .tooManyRequests ? answer.message : "the delivery could not be stored"
            var response = try APIError(.tooManyRequests, message).response(from: request, context: context)
            response.headers[.retryAfter] = String(Self.webhookRetryAfterSeconds)
            return response
        }
        metrics.increment("ghlsync_webhooks_total", ["outcome": "applied"])
        return JSONBody.raw(Array(#"{"ok":true}"#.utf8))
    }
}
