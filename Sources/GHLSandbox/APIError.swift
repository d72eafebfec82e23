import HTTPTypes
import Hummingbird
import GHLJSON

/// An error response in GHL's shape: `{"statusCode": 401, "message": "...", "error": "Unauthorized"}`.
/// 422 bodies carry `message` as an array of strings, as the official `UnprocessableDTO` says.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    static func unprocessable(_ message: String, headers: HTTPFields = [:]) -> APIError {
        APIError(.unprocessableContent, message, headers: headers)
    }

    var body: [UInt8] {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.field("statusCode", Int(status.code))
        if status == .unprocessableContent {
            w.field("message", strings: [message])
            w.field("error", "Unprocessable Entity")
        } else {
            w.field("message", message)
            if status == .unauthorized { w.field("error", "Unauthorized") }
        }
        w.endObject()
        return w.bytes
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        jsonResponse(status: status, headers: headers, body: body)
    }
}

func jsonResponse(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], body: [UInt8]) -> Response {
    var fields = headers
    fields[.contentType] = "application/json; charset=utf-8"
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
}

extension HTTPField.Name {
    static let version = Self("Version")!
    static let retryAfter = Self("Retry-After")!
    static let rateLimitDaily = Self("X-RateLimit-Limit-Daily")!
    static let rateLimitDailyRemaining = Self("X-RateLimit-Daily-Remaining")!
    static let rateLimitInterval = Self("X-RateLimit-Interval-Milliseconds")!
    static let rateLimitMax = Self("X-RateLimit-Max")!
    static let rateLimitRemaining = Self("X-RateLimit-Remaining")!
}
