import Foundation
import GHLStore
import GHLSync

/// The body of `run-ghl-all` and `poll-ghl-*`, as the seed's edge functions take it.
public struct SyncRequest: Sendable, Codable, Equatable {
    public var sourceId: String
    public var locationId: String?
    public var mode: SyncMode
    public var pageSize: Int?

    public init(sourceId: String, locationId: String? = nil, mode: SyncMode = .incremental, pageSize: Int? = nil) {
        self.sourceId = sourceId
        self.locationId = locationId
        self.mode = mode
        self.pageSize = pageSize
    }

    enum CodingKeys: String, CodingKey {
        case sourceId = "source_id", locationId, mode, pageSize
    }

    /// The largest page GHL serves (contacts search); smaller endpoints clamp further.
    public static let maxPageSize = 500

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sourceId = try container.decode(String.self, forKey: .sourceId)
        locationId = try container.decodeIfPresent(String.self, forKey: .locationId)
        let modeName = try container.decodeIfPresent(String.self, forKey: .mode) ?? SyncMode.incremental.rawValue
        guard let mode = SyncMode(rawValue: modeName) else {
            throw DecodingError.dataCorruptedError(forKey: .mode, in: container,
                                                   debugDescription: "mode must be \"full\" or \"incremental\", got \"\(modeName)\"")
        }
        self.mode = mode
        pageSize = try container.decodeIfPresent(Int.self, forKey: .pageSize)
        if let pageSize, !(1...Self.maxPageSize).contains(pageSize) {
            throw DecodingError.dataCorruptedError(forKey: .pageSize, in: container,
                                                   debugDescription: "pageSize must be from 1 to \(Self.maxPageSize), got \(pageSize)")
        }
        guard !sourceId.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .sourceId, in: container, debugDescription: "source_id must not be empty")
        }
    }
}

/// A GHL webhook delivery as it arrived: the raw body (signatures cover its bytes) and its headers.
public struct IncomingWebhook: Sendable {
    public var body: Data
    public var headers: [String: String]

    public init(body: Data, headers: [String: String]) {
        self.body = body
        self.headers = headers
    }
}

/// What the HTTP front needs from the sync engine. It runs as the service
/// role; the routes check the caller's role before calling it.
public protocol SyncService: Sendable {
    func runAll(_ request: SyncRequest) async throws -> RunAllResult
    func poll(_ entity: Entity, _ request: SyncRequest) async throws -> EntityResult
    /// Verifies and applies one webhook delivery; throws `APIError` (401 bad
    /// signature, 409 replay, 400 malformed or stale, 404 unknown location)
    /// when it refuses it, and 429 when it could not store it.
    func receiveWebhook(_ delivery: IncomingWebhook) async throws
}
