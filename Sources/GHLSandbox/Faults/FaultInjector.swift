import Synchronization

/// A kind of failure the sandbox can produce instead of (or on top of) a normal response.
public enum FaultKind: String, Sendable, Codable, CaseIterable {
    /// 429 with `Retry-After`, as if the rate limit were hit.
    case tooManyRequests
    case internalServerError  // 500
    case badGateway  // 502
    case serviceUnavailable  // 503
    /// 422 as GHL answers parameters it rejects: a client error, never worth a retry.
    case unprocessableEntity
    /// The normal response, after `delayMilliseconds`.
    case slow
    /// Headers with the full `Content-Length`, half the body, then the connection is closed.
    case cutConnection
    /// A complete HTTP response whose JSON body stops halfway.
    case truncatedJSON
    /// A complete response whose body is not valid JSON.
    case malformedJSON
    /// A normal page in which the first record has fields of the wrong JSON type.
    case wrongFieldTypes
    /// A normal page in which the first record has the right values in other JSON types, as
    /// real GHL data sometimes does: times as epoch milliseconds, numbers and booleans as strings.
    case looseFieldTypes
    /// A normal page in which the first record has no `id`/`_id`, which a client must report, not store.
    case recordWithoutId
    /// The normal response without any `X-RateLimit-*` header, as a server that publishes no limits.
    case noRateHeaders
}

/// When a fault fires: on the next `next` matching requests, or on every `everyNth`th one;
/// with `after`, only once that many matching requests have passed untouched (a listing that
/// fails from its third page on: `after: 2`).
/// Matching requests are API calls (not `/oauth` or `/_sandbox`) whose path starts with `path`
/// and, if set, for `locationId`. Counting is deterministic: the same request sequence
/// meets the same faults.
public struct FaultRule: Sendable, Codable, Equatable {
    public var kind: FaultKind
    public var next: Int?
    public var everyNth: Int?
    public var after: Int?
    public var path: String?
    public var locationId: String?
    public var delayMilliseconds: Int?
    public var retryAfterSeconds: Int?

    public init(
        _ kind: FaultKind, next: Int? = nil, everyNth: Int? = nil, after: Int? = nil, path: String? = nil, locationId: String? = nil,
        delayMilliseconds: Int? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.kind = kind
        self.next = next
        self.everyNth = everyNth
        self.after = after
        self.path = path
        self.locationId = locationId
        self.delayMilliseconds = delayMilliseconds
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Rejects rules that would never fire or never stop being ambiguous.
    func validated() throws(SandboxError) -> FaultRule {
        guard (after ?? 0) >= 0 else { throw .invalidRecord("a fault's after must be >= 0") }
        switch (next, everyNth) {
        case (let n?, nil) where n > 0: return self
        case (nil, let n?) where n > 0: return self
        default: throw .invalidRecord("a fault needs exactly one of next (> 0) or everyNth (> 0)")
        }
    }
}

/// The active fault rules and how many matching requests each has seen.
final class FaultInjector: Sendable {
    private struct Active {
        var rule: FaultRule
        var seen = 0
    }

    private let rules: Mutex<[Active]>

    init(rules: [FaultRule]) {
        self.rules = Mutex(rules.map { Active(rule: $0) })
    }

    func add(_ rule: FaultRule) { rules.withLock { $0.append(Active(rule: rule)) } }
    func clear() { rules.withLock { $0.removeAll() } }
    var active: [FaultRule] { rules.withLock { $0.map(\.rule) } }

    /// The fault this request meets, if any; the first rule that fires wins.
    func fault(path: String, location: String) -> FaultRule? {
        rules.withLock { rules in
            for index in rules.indices {
                let rule = rules[index].rule
                if let prefix = rule.path, !path.hasPrefix(prefix) { continue }
                if let only = rule.locationId, only != location { continue }
                rules[index].seen += 1
                if let after = rule.after, rules[index].seen <= after { continue }
                if let remaining = rule.next {
                    if remaining <= 1 { rules.remove(at: index) } else { rules[index].rule.next = remaining - 1 }
                    return rule
                }
                if let n = rule.everyNth, (rules[index].seen - (rule.after ?? 0)) % n == 0 { return rule }
            }
            return nil
        }
    }
}
