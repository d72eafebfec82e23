import GHLAPI
import Synchronization

/// One Company OAuth session per agency credentials file in this process: every location of a
/// `sync --all` (and of `serve`'s schedules) asks for its location token through it, so the
/// Company token is refreshed once and no rotated refresh token is spent twice. When the file holds
/// a refresh token this process did not write (another process rotated it: a cron `sync` beside
/// `serve`), the session is made again from the file, since the one held here is spent.
final class AgencySessions: Sendable {
    static let shared = AgencySessions()

    private struct Entry {
        let session: OAuthSession
        /// The refresh token the file holds as far as this process knows.
        var refreshToken: String
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The session of `file`, whose current contents are `refreshToken`.
    func session(file: String, refreshToken: String, make: () -> OAuthSession) -> OAuthSession {
        entries.withLock { map in
            if let entry = map[file], entry.refreshToken == refreshToken { return entry.session }
            let made = make()
            map[file] = Entry(session: made, refreshToken: refreshToken)
            return made
        }
    }

    /// This process wrote a rotated refresh token into `file`.
    func rotated(file: String, to refreshToken: String) {
        entries.withLock { $0[file]?.refreshToken = refreshToken }
    }
}
