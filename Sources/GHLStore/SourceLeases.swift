import Foundation
import GRDB

/// At most one run per source across every process that opens the file: the
/// `sync_leases` rows.
///
/// A lease row names its owner as `host:pid:run`. A lease is free when it
/// does not exist, when its owner is a process on this host that no longer
/// exists (a killed CLI run is taken over at once), or when its heartbeat,
/// renewed with every committed page (`commitSyncPage`), is older than
/// `staleAfter`.
public struct SourceLease: Sendable, Equatable {
    public let sourceId: String
    public let owner: String
    public var staleAfter: TimeInterval

    public static let defaultStaleAfter: TimeInterval = 120

    public init(sourceId: String, owner: String, staleAfter: TimeInterval = Self.defaultStaleAfter) {
        self.sourceId = sourceId
        self.owner = owner
        self.staleAfter = staleAfter
    }

    /// The owner name of a run of this process.
    public static func owner(runId: String) -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(runId)"
    }

    /// The owner of a lease still held on `sourceId` (alive, heartbeat fresh), or nil.
    static func holder(of sourceId: String, at now: Date, staleAfter: TimeInterval, in db: Database) throws -> String? {
        guard let row = try Row.fetchOne(db, sql: "SELECT owner, heartbeat_at FROM sync_leases WHERE source_id = ?",
                                         arguments: [sourceId]) else { return nil }
        return holding(row["owner"], heartbeat: Timestamp.date(row["heartbeat_at"]) ?? .distantPast, at: now, staleAfter: staleAfter)
    }

    /// `owner` when its lease row (renewed at `heartbeat`) still holds the source at `now`, nil when it is free.
    public static func holding(_ owner: String, heartbeat: Date, at now: Date, staleAfter: TimeInterval) -> String? {
        isAlive(owner) && now.timeIntervalSince(heartbeat) < staleAfter ? owner : nil
    }

    /// Renews the heartbeat inside the caller's page transaction.
    func renew(at date: Date, in db: Database) throws {
        try db.execute(sql: "UPDATE sync_leases SET heartbeat_at = ? WHERE source_id = ? AND owner = ?",
                       arguments: [Timestamp.string(date), sourceId, owner])
    }

    /// Whether the owner may still be running: always for another host (only
    /// the heartbeat tells), and for this host when its pid exists.
    private static func isAlive(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count >= 2, String(parts[0]) == ProcessInfo.processInfo.hostName,
              let pid = pid_t(parts[1]) else { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}

extension Store {
    /// Takes `lease`, or returns the owner of the live lease someone else holds
    /// (nil: taken).
    public func acquire(_ lease: SourceLease, at now: Date = Date()) async throws -> String? {
        try await pool.write { db in
            if let holder = try SourceLease.holder(of: lease.sourceId, at: now, staleAfter: lease.staleAfter, in: db),
               holder != lease.owner {
                return holder
            }
            try db.execute(sql: """
                INSERT INTO sync_leases (source_id, owner, acquired_at, heartbeat_at) VALUES (?1, ?2, ?3, ?3)
                ON CONFLICT (source_id) DO UPDATE SET owner = excluded.owner,
                    acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at
                """, arguments: [lease.sourceId, lease.owner, Timestamp.string(now)])
            return nil
        }
    }

    /// Gives `lease` up (nothing happens when someone else holds the source now).
    public func release(_ lease: SourceLease) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sync_leases WHERE source_id = ? AND owner = ?", arguments: [lease.sourceId, lease.owner])
        }
    }

    /// The owner of a live lease on `sourceId`, or nil.
    public func leaseHolder(of sourceId: String, at now: Date = Date(),
                            staleAfter: TimeInterval = SourceLease.defaultStaleAfter) async throws -> String? {
        try await pool.read { db in try SourceLease.holder(of: sourceId, at: now, staleAfter: staleAfter, in: db) }
    }
}
