import GHLStore

/// Sync failures a user can act on, with messages that say what happened.
public enum SyncError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Another run of this source is in progress and cannot be joined.
    case alreadyRunning(sourceId: String, owner: String)
    case inactiveSource(String)
    case token(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .alreadyRunning(let id, let owner):
            "a sync of source \(id) is already running (\(owner)); wait for it to finish"
        case .inactiveSource(let id): "source \(id) is not active"
        case .token(let message): message
        case .invalidInput(let message): message
        }
    }
}
