import GHLAPI
import Synchronization

/// One Company OAuth session per agency credentials file in this process: every location of a
/// `sync --all` (and of `serve`'s schedules) asks for its location token through it, so the
/// Company token is refreshed once and no rotated refresh token is spent twice.
final class AgencySessions: Sendable {
    static let shared = AgencySessions()

    private let sessions = Mutex<[String: OAuthSession]>([:])

    func session(file: String, make: () -> OAuthSession) -> OAuthSession {
        sessions.withLock { map in
            if let existing = map[file] { return existing }
            let made = make()
            map[file] = made
            return made
        }
    }
}
