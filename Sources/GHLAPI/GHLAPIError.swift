import GHLJSON
/// A GHL request that failed for good: after the retries it was allowed, or
/// at once for answers a retry cannot change (400, 401 without refresh, 403, 404, 422).
public struct GHLAPIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// GHL answered with an error status.
        case status
        /// Too many 429s, or the daily limit is used up.
        case rateLimited
        /// The connection failed, was cut, or timed out.
        case transport
        /// The body was not the JSON the endpoint promises (truncated, garbled, wrong shape).
        case invalidResponse
        /// Token refresh failed or its result could not be persisted.
        case authentication
        /// The caller asked for something the client cannot send.
        case invalidRequest
    }

    public var kind: Kind
    /// "POST /contacts/search"
    public var endpoint: String
    /// The last HTTP status, when there was a response.
    public var status: Int?
    /// GHL's message, or what went wrong.
    public var message: String
    public var attempts: Int

    public init(kind: Kind, endpoint: String, status: Int?, message: String, attempts: Int) {
        self.kind = kind
        self.endpoint = endpoint
        self.status = status
        self.message = message
        self.attempts = attempts
    }

    public var description: String {
        let what = status.map { "HTTP \($0)" } ?? kind.rawValue
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        return "\(endpoint) failed with \(what)\(tries): \(message)"
    }

    /// GHL's error message from a JSON error body (`message` may be a string
    /// or a list of strings), or the body's start as text.
    static func message(fromBody body: [UInt8]) -> String {
        if let json = try? JSONValue(parsing: body) {
            if let message = json["message"]?.stringValue { return message }
            if let messages = json["message"]?.arrayValue {
                return messages.compactMap(\.stringValue).joined(separator: "; ")
            }
            if let error = json["error"]?.stringValue { return error }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return text.isEmpty ? "empty response body" : text
    }
}
