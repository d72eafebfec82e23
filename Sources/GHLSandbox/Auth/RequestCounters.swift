import Synchronization

/// Requests seen and 429s sent for one location and endpoint (e.g. `POST /contacts/search`).
public struct RequestCount: Sendable, Equatable, Codable {
    public var requests: Int = 0
    public var rateLimited: Int = 0

    public init(requests: Int = 0, rateLimited: Int = 0) {
        self.requests = requests
        self.rateLimited = rateLimited
    }
}

public struct CounterKey: Sendable, Hashable, Codable {
    public let locationID: String
    public let endpoint: String
}

/// Lets tests and benchmarks count what a client really sent.
final class RequestCounters: Sendable {
    private let counts = Mutex<[CounterKey: RequestCount]>([:])

    func record(location: String, endpoint: String, rateLimited: Bool) {
        counts.withLock { c in
            let key = CounterKey(locationID: location, endpoint: endpoint)
            c[key, default: RequestCount()].requests += 1
            if rateLimited { c[key, default: RequestCount()].rateLimited += 1 }
        }
    }

    var snapshot: [CounterKey: RequestCount] { counts.withLock { $0 } }

    func reset() { counts.withLock { $0.removeAll() } }
}
