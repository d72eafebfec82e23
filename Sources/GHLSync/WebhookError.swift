/// Why a webhook delivery was refused. Nothing is stored for any of them.
public enum WebhookError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Missing, undecodable or non-matching signature: answer 401.
    case badSignature(String)
    /// `timestamp` missing from the window (older than the allowed age, or in the future).
    case stale(String)
    /// A `webhookId` already received: a replay, or GHL retrying one already applied.
    case duplicate(webhookId: String)
    /// Not JSON, or missing what the event needs (`webhookId`, `timestamp`, ids).
    case malformed(String)
    /// `locationId` of no registered source.
    case unknownLocation(String)
    /// Keys given to the intake are not usable.
    case configuration(String)
    /// A valid delivery the store could not take (busy past its timeout, disk
    /// full, any internal error): GHL retries it only when answered 429.
    case unavailable(String)

    public var description: String {
        switch self {
        case .badSignature(let why): "invalid webhook signature: \(why)"
        case .stale(let why): "stale webhook: \(why)"
        case .duplicate(let id): "duplicate webhook \(id): already received"
        case .malformed(let why): "malformed webhook: \(why)"
        case .unknownLocation(let id): "webhook for location \(id), which no source syncs"
        case .configuration(let why): "webhook keys: \(why)"
        case .unavailable(let why): "webhook not stored, retry later: \(why)"
        }
    }
}
