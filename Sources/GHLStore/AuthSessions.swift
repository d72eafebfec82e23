import Foundation
import GRDB

/// The `auth_sessions` table: GHLAuth makes and digests the refresh tokens;
/// the store keeps only their digests, rotates them, and revokes sessions.
extension Store {
    /// Which of a user's sessions `revokeSessions` ends.
    public enum SessionSelection: Sendable {
        case only(String)
        case all
        case allExcept(String)
    }

    public func insertSession(id: String, userId: String, tokenHash: String, createdAt: String, expiresAt: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO auth_sessions (id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [id, userId, tokenHash, createdAt, expiresAt])
        }
    }

    /// Replaces a live, unexpired session's refresh token digest `presented`
    /// by `next`, remembering `presented` as the one it replaced. A digest a
    /// rotation already replaced is a stolen token: its session is revoked.
    /// Returns the session and its user, or nil when nothing was rotated.
    public func rotateRefreshToken(presented: String, next: String, now: String) async throws -> (sessionId: String, userId: String)? {
        try await pool.write { db in
            if let stolen = try String.fetchOne(db, sql: "SELECT id FROM auth_sessions WHERE previous_token_hash = ?", arguments: [presented]) {
                try db.execute(sql: "UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, stolen])
                return nil
            }
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, user_id FROM auth_sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?
                """, arguments: [presented, now]) else { return nil }
            let sessionId: String = row["id"]
            try db.execute(sql: "UPDATE auth_sessions SET token_hash = ?, previous_token_hash = ? WHERE id = ?",
                           arguments: [next, presented, sessionId])
            return (sessionId, row["user_id"])
        }
    }

    /// Revokes the user's live sessions that `selection` names.
    public func revokeSessions(of userId: String, _ selection: SessionSelection, at now: String) async throws {
        let (condition, arguments): (String, StatementArguments) = switch selection {
        case .only(let sessionId): ("id = ? AND user_id = ?", [sessionId, userId])
        case .all: ("user_id = ?", [userId])
        case .allExcept(let sessionId): ("user_id = ? AND id <> ?", [userId, sessionId])
        }
        try await pool.write { db in
            try db.execute(sql: "UPDATE auth_sessions SET revoked_at = ? WHERE \(condition) AND revoked_at IS NULL",
                           arguments: [now] + arguments)
        }
    }
}
