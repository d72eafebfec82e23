import Foundation
import GHLStore
import GRDB

/// At most one run per source across every process that opens the file.
///
/// The lease row names its owner as `host:pid:run`. A lease is free when it
/// does not exist, when its owner is a process on this host that no longer
/// exists (a killed CLI run is taken over at once), or when its heartbeat,
/// renewed with every committed page, is older than `staleAfter`.
struct SourceLease: Sendable {
    let store: Store
    let sourceId: String
    let owner: String
    var staleAfter = Self.defaultStaleAfter
    static let defaultStaleAfter: TimeInterval = 120

    static func owner(runId: String) -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(runId)"
    }

    /// Takes the lease or throws `SyncError.alreadyRunning`.
    func acquire() throws {
        let now = Date()
        try store.pool.write { db in
            if let holder = try Self.holder(of: sourceId, at: now, staleAfter: staleAfter, in: db), holder != owner {
                throw SyncError.alreadyRunning(sourceId: sourceId, owner: holder)
            }
            try db.execute(sql: """
                INSERT INTO sync_leases (source_id, owner, acquired_at, heartbeat_at) VALUES (?1, ?2, ?3, ?3)
                ON CONFLICT (source_id) DO UPDATE SET owner = excluded.owner,
                    acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at
                """, arguments: [sourceId, owner, Timestamp.string(now)])
        }
    }

    /// The owner of a lease still held on `sourceId` (alive, heartbeat fresh), or nil.
    static func holder(of sourceId: String, at now: Date = Date(), staleAfter: TimeInterval = defaultStaleAfter, in db: Database) throws -> String? {
        guard let row = try Row.fetchOne(db, sql: "SELECT owner, heartbeat_at FROM sync_leases WHERE source_id = ?",
                                         arguments: [sourceId]) else { return nil }
        let holder: String = row["owner"]
        let heartbeat = Timestamp.date(row["heartbeat_at"]) ?? .distantPast
        return Self.isAlive(holder) && now.timeIntervalSince(heartbeat) < staleAfter ? holder : nil
    }

    /// Renews the heartbeat inside the caller's page transaction.
    func renew(_ db: Database) throws {
        try db.execute(sql: "UPDATE sync_leases SET heartbeat_at = ? WHERE source_id = ? AND owner = ?",
                       arguments: [Timestamp.string(), sourceId, owner])
    }

    func release() throws {
        try store.pool.write { db in
            try db.execute(sql: "DELETE FROM sync_leases WHERE source_id = ? AND owner = ?", arguments: [sourceId, owner])
        }
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
