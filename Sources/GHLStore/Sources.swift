import Foundation
import GRDB

/// A registered GHL location: where to reach it and how to find its token.
///
/// The token itself is never stored in the file: `tokenEnv` names an
/// environment variable and `tokenFile` a 0600 secrets file, read at sync time.
public struct Source: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "ghl_sources"

    public var id: String
    public var name: String
    public var locationId: String
    public var apiBase: String
    public var tokenEnv: String?
    public var tokenFile: String?
    public var currency: String
    public var isActive: Bool
    public var syncIntervalSeconds: Int?
    public var syncMode: String
    public var filters: String?
    /// The agency (GHL company) whose Company token reaches this location; nil for a location added on its own.
    public var companyId: String?
    public var createdAt: String
    public var updatedAt: String

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// The real GHL API v2.
    public static let defaultAPIBase = "https://services.leadconnectorhq.com"

    /// A source as another database (PostgreSQL) holds it.
    public init(id: String, name: String, locationId: String, apiBase: String, tokenEnv: String?, tokenFile: String?,
                currency: String, isActive: Bool, syncIntervalSeconds: Int?, syncMode: String, filters: String?,
                companyId: String?, createdAt: String, updatedAt: String) {
        self.id = id
        self.name = name
        self.locationId = locationId
        self.apiBase = apiBase
        self.tokenEnv = tokenEnv
        self.tokenFile = tokenFile
        self.currency = currency
        self.isActive = isActive
        self.syncIntervalSeconds = syncIntervalSeconds
        self.syncMode = syncMode
        self.filters = filters
        self.companyId = companyId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Store {
    /// Registers a location and returns it with its new id; a bad one throws
    /// `StoreError.invalidSource`.
    public func addSource(name: String, locationId: String, apiBase: String = Source.defaultAPIBase,
                          tokenEnv: String?, tokenFile: String?, currency: String = "USD", companyId: String? = nil) async throws -> Source {
        let source = try Source.new(name: name, locationId: locationId, apiBase: apiBase, tokenEnv: tokenEnv, tokenFile: tokenFile,
                                    currency: currency, companyId: companyId)
        try await addSource(source)
        return source
    }

    /// Registers a source made by `Source.new`.
    public func addSource(_ source: Source) async throws {
        try await pool.write { try source.insert($0) }
    }

    public func sources() async throws -> [Source] {
        try await pool.read { try Source.order(Column("created_at"), Column("id")).fetchAll($0) }
    }

    public func source(id: String) async throws -> Source {
        guard let source = try await pool.read({ try Source.fetchOne($0, key: id) }) else { throw StoreError.unknownSource(id) }
        return source
    }
}

extension Source {
    /// A new active source, its fields checked as `sources add` documents them.
    public static func new(name: String, locationId: String, apiBase: String, tokenEnv: String?, tokenFile: String?,
                    currency: String = "USD", companyId: String? = nil) throws -> Source {
        let trimmedName = name.trimmingCharacters(in: .whitespaces)
        let trimmedLocation = locationId.trimmingCharacters(in: .whitespaces)
        guard !trimmedName.isEmpty else { throw StoreError.invalidSource(.emptyName) }
        guard !trimmedLocation.isEmpty else { throw StoreError.invalidSource(.emptyLocationId) }
        guard let url = URL(string: apiBase), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw StoreError.invalidSource(.apiBaseNotHTTP(apiBase))
        }
        guard (tokenEnv == nil) != (tokenFile == nil) else { throw StoreError.invalidSource(.tokenNotExactlyOne) }
        let now = Timestamp.string()
        return Source(id: UUID().uuidString.lowercased(), name: trimmedName, locationId: trimmedLocation,
                      apiBase: apiBase, tokenEnv: tokenEnv, tokenFile: tokenFile, currency: currency,
                      isActive: true, syncIntervalSeconds: nil, syncMode: "incremental", filters: nil, companyId: companyId,
                      createdAt: now, updatedAt: now)
    }
}
