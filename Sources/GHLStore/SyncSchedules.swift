import Foundation
import GRDB

/// Sources' schedules: `ghl_sources.sync_interval_seconds` and `sync_mode`,
/// the embedded edition of the seed's pg_cron plan.
extension Store {
    /// Sets (or with `interval == nil` clears) a source's schedule; a nil
    /// `mode` keeps the one it has.
    public func setSchedule(sourceId: String, interval: Int?, mode: SyncMode?) async throws -> Source {
        try await pool.write { db in
            guard var source = try Source.fetchOne(db, key: sourceId) else { throw StoreError.unknownSource(sourceId) }
            source.syncIntervalSeconds = interval
            if let mode { source.syncMode = mode.rawValue }
            source.updatedAt = Timestamp.string()
            try source.update(db)
            return source
        }
    }

    /// Active scheduled sources whose interval has passed since their last
    /// run started (any job row, whoever started it), so a manual sync
    /// postpones the next scheduled one instead of doubling it.
    public func dueSources(now: Date = Date()) async throws -> [Source] {
        try await pool.read { db in
            let sources = try Source.filter(sql: "is_active = 1 AND sync_interval_seconds IS NOT NULL")
                .order(Column("created_at"), Column("id")).fetchAll(db)
            return try sources.filter { source in
                guard let interval = source.syncIntervalSeconds else { return false }
                let last = try String.fetchOne(db, sql: "SELECT MAX(started_at) FROM ghl_sync_jobs WHERE source_id = ?",
                                               arguments: [source.id]).flatMap(Timestamp.date)
                return last.map { now.timeIntervalSince($0) >= Double(interval) } ?? true
            }
        }
    }
}
