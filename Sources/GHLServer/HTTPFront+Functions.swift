import Foundation
import GHLAuth
import GHLStore
import GHLSync
import Hummingbird

/// `POST /functions/v1/run-ghl-all` and `/functions/v1/poll-ghl-{entity}`: the
/// seed's edge functions, for editors and owners of the source.
extension HTTPFront {
    private struct PollAnswer: Encodable { var ok: Bool; var count: Int; var pages: Int; var error: String? }

    @Sendable func runFunction(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let name = try context.parameters.require("function")
        let entity: Entity?
        if name == "run-ghl-all" {
            entity = nil
        } else if name.hasPrefix("poll-ghl-"), let polled = Entity(rawValue: String(name.dropFirst("poll-ghl-".count))) {
            entity = polled
        } else {
            throw APIError.notFound("unknown function \(name); functions are run-ghl-all and "
                + Entity.allCases.map { "poll-ghl-\($0.rawValue)" }.joined(separator: ", "))
        }
        let body = try await JSONBody.decode(SyncRequest.self, from: request)
        let user = try context.requireUser()
        guard let role = user.role(on: body.sourceId) else { throw APIError.forbidden("no access to source \(body.sourceId)") }
        guard role.allows(.sync) else { throw APIError.forbidden("a viewer cannot start syncs of source \(body.sourceId); ask an owner for the editor role") }
        if let locationId = body.locationId, let grant = user.sources.first(where: { $0.id == body.sourceId }), grant.locationId != locationId {
            throw APIError.unprocessable("locationId \(locationId) is not the location of source \(body.sourceId) (\(grant.locationId))")
        }

        let started = ContinuousClock.now
        if let entity {
            let result = try await sync.poll(entity, body)
            metrics.recordSync(result)
            metrics.recordDuration(kind: entity.rawValue, seconds: (ContinuousClock.now - started).seconds)
            return try JSONBody.response(PollAnswer(ok: result.ok, count: result.count, pages: result.pages, error: result.error))
        }
        let result = try await sync.runAll(body)
        result.results.forEach(metrics.recordSync)
        metrics.recordDuration(kind: "run-all", seconds: (ContinuousClock.now - started).seconds)
        return try JSONBody.response(result)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
