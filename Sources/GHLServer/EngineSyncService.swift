import Foundation
import GHLStore
import GHLSync

/// `SyncService` over GHLSync: the engine for run-all and the pollers, the
/// intake for webhooks (their errors reach HTTP through `APIError`).
public struct EngineSyncService: SyncService {
    public let engine: SyncEngine
    public let intake: WebhookIntake

    public init(engine: SyncEngine, intake: WebhookIntake) {
        self.engine = engine
        self.intake = intake
    }

    public func runAll(_ request: SyncRequest) async throws -> RunAllResult {
        try await engine.runAll(RunRequest(sourceId: request.sourceId, mode: request.mode, pageSize: request.pageSize))
    }

    public func poll(_ entity: Entity, _ request: SyncRequest) async throws -> EntityResult {
        try await engine.poll(entity, sourceId: request.sourceId, mode: request.mode, pageSize: request.pageSize)
    }

    public func receiveWebhook(_ webhook: IncomingWebhook) async throws {
        _ = try await intake.receive(body: Array(webhook.body), header: { webhook.headers[$0.lowercased()] })
    }
}
