/// Why an authentication or account operation failed.
///
/// Messages meant for an HTTP client (`invalidCredentials`, `invalidToken`,
/// `invalidRefreshToken`) say no more than needed: which part of a token was wrong is
/// logged by nobody and told to nobody.
public enum AuthError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Wrong email or password (never says which).
    case invalidCredentials
    /// A missing, malformed, forged, expired or revoked access token.
    case invalidToken
    /// A refresh token that is unknown, used already, expired or revoked.
    case invalidRefreshToken
    case unknownUser(String)
    case duplicateEmail(String)
    case invalidEmail(String)
    case invalidPassword(String)
    case noGrant(user: String, sourceId: String)
    /// The signing key file is unreadable, malformed, or readable by others.
    case keyFile(path: String, problem: String)

    public var description: String {
        switch self {
        case .invalidCredentials: "invalid email or password"
        case .invalidToken: "invalid or expired token"
        case .invalidRefreshToken: "invalid or expired refresh token"
        case .unknownUser(let email): "unknown user \(email) (see `ghlsync users list`)"
        case .duplicateEmail(let email): "a user with email \(email) already exists"
        case .invalidEmail(let email): "not a valid email address: \(email)"
        case .invalidPassword(let reason): "unusable password: \(reason)"
        case .noGrant(let user, let sourceId): "\(user) has no grant on source \(sourceId)"
        case .keyFile(let path, let problem): "signing key file \(path): \(problem)"
        }
    }
}
