import Foundation
import GHLStore
import GHLSync

/// `SyncService` over GHLSync: the engine for run-all and the pollers, the
/// intake for webhooks, with their errors mapped to HTTP answers.
public struct EngineSyncService: SyncService {
    public let engine: SyncEngine
    public let intake: WebhookIntake

    public init(engine: SyncEngine, intake: WebhookIntake) {
        self.engine = engine
        self.intake = intake
    }

    public func runAll(_ request: SyncRequest) async throws -> RunAllResult {
        try await mapped { try await engine.runAll(RunRequest(sourceId: request.sourceId, mode: request.mode, pageSize: request.pageSize)) }
    }

    public func poll(_ entity: Entity, _ request: SyncRequest) async throws -> EntityResult {
        try await mapped { try await engine.poll(entity, sourceId: request.sourceId, mode: request.mode, pageSize: request.pageSize) }
    }

    public func receiveWebhook(_ webhook: IncomingWebhook) async throws {
        do {
            _ = try intake.receive(body: Array(webhook.body), header: { webhook.headers[$0.lowercased()] })
        } catch {
            throw APIError(.init(code: error.httpStatus), error.description)
        }
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SyncError {
            switch error {
            case .alreadyRunning, .inactiveSource: throw APIError(.conflict, error.description)
            case .invalidInput: throw APIError.unprocessable(error.description)
            case .token: throw APIError(.internalServerError, error.description)
            }
        }
    }
}
