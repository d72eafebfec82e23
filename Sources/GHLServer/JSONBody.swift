import Foundation
import Hummingbird

/// Decoding and encoding of JSON bodies with messages a person can act on.
enum JSONBody {
    static let maxSize = 1 << 20

    /// Decodes the request body as `T`; anything wrong is a 422 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: maxSize)
        guard buffer.readableBytes > 0 else { throw APIError.unprocessable("request body is empty: send a JSON object") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.unprocessable(message(error))
        }
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return raw(Array(try encoder.encode(value)), status: status, headers: headers)
    }

    static func raw(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static func message(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is required"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) must not be null"
        case .typeMismatch(let type, let context):
            let name = type == String.self ? "a string" : type == Int.self ? "a whole number" : "\(type)"
            return context.codingPath.isEmpty ? "request body must be a JSON object" : "\(path(context.codingPath)) must be \(name)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "request body is not valid JSON" : context.debugDescription
        @unknown default:
            return "request body is not valid"
        }
    }
}
