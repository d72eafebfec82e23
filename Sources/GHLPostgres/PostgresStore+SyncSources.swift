import Foundation
import GHLStore
import PostgresNIO

/// The `ghl_sources` rows on PostgreSQL: what `sources add/list` and the sync
/// engine read and write, as `GHLStore.Source` values.
extension PostgresStore {
    /// Registers a source made by `Source.new` (which checks its fields).
    public func addSource(_ source: Source) async throws {
        try await client.withConnection { try await addSource(source, on: $0) }
    }

    func addSource(_ source: Source, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO ghl_sources (id, name, location_id, company_id, api_base, token_env, token_file, currency, is_active,
                                     sync_interval_seconds, sync_mode, filters, created_at, updated_at)
            VALUES (\(source.id), \(source.name), \(source.locationId), \(source.companyId), \(source.apiBase), \(source.tokenEnv),
                    \(source.tokenFile), \(source.currency), \(source.isActive), \(source.syncIntervalSeconds), \(source.syncMode),
                    \(source.filters), \(source.createdAt)::timestamptz, \(source.updatedAt)::timestamptz)
            """, logger: logger)
    }

    public func sources() async throws -> [Source] {
        try await client.withConnection { try await sources(where: "true", on: $0) }
    }

    public func source(id: String) async throws -> Source {
        try await client.withConnection { connection in
            guard let source = try await sources(where: "id = $1", [id], on: connection).first else { throw StoreError.unknownSource(id) }
            return source
        }
    }

    /// Active scheduled sources whose interval has passed since their last run
    /// started (any job row), as `Store.dueSources` decides.
    public func dueSources(now: Date) async throws -> [Source] {
        try await client.withConnection { connection in
            try await sources(where: """
                is_active AND sync_interval_seconds IS NOT NULL AND COALESCE(
                    (SELECT max(j.started_at) FROM ghl_sync_jobs j WHERE j.source_id = ghl_sources.id)
                        + make_interval(secs => sync_interval_seconds) <= $1, true)
                """, [now], on: connection)
        }
    }

    /// The sources matching `condition` (its parameters `$1`... bound from `values`), oldest first.
    func sources(where condition: String, _ values: [any PostgresThrowingDynamicTypeEncodable] = [],
                 on connection: PostgresConnection) async throws -> [Source] {
        var bindings = PostgresBindings()
        for value in values { try bindings.append(value, context: .default) }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT id, name, location_id, api_base, token_env, token_file, currency, is_active, sync_interval_seconds,
                   sync_mode, filters, company_id, \(Self.timestampText("created_at")), \(Self.timestampText("updated_at"))
            FROM ghl_sources WHERE \(condition) ORDER BY created_at, id
            """, binds: bindings), logger: logger)
        var sources: [Source] = []
        for try await (id, name, location, api, tokenEnv, tokenFile, currency, active, interval, mode, filters, company, created, updated)
            in rows.decode((String, String, String, String, String?, String?, String, Bool, Int?, String, String?, String?,
                            String, String).self) {
            sources.append(Source(id: id, name: name, locationId: location, apiBase: api, tokenEnv: tokenEnv, tokenFile: tokenFile,
                                  currency: currency, isActive: active, syncIntervalSeconds: interval, syncMode: mode, filters: filters,
                                  companyId: company, createdAt: created, updatedAt: updated))
        }
        return sources
    }

    /// A `timestamptz` column as the SQLite store writes times (`Timestamp.string`): ISO 8601, UTC, milliseconds, `Z`.
    static func timestampText(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }
}
