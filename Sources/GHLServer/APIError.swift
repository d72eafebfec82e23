import Foundation
import GHLStore
import Hummingbird

/// A failure the client is told about, rendered as `{"status": N, "message": "..."}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    public static func unauthorized(_ message: String = "missing or invalid access token") -> APIError { .init(.unauthorized, message) }
    public static func forbidden(_ message: String) -> APIError { .init(.forbidden, message) }
    public static func badRequest(_ message: String) -> APIError { .init(.badRequest, message) }
    public static func unprocessable(_ message: String) -> APIError { .init(.unprocessableContent, message) }
    public static func notFound(_ message: String) -> APIError { .init(.notFound, message) }
}

/// Turns every error a route throws into the JSON error body, so that no
/// failure answers with HTML or an empty body. Unexpected errors are logged
/// and answered with a 500 that hides their details.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.response(error)
        } catch let error as StoreError {
            switch error {
            case .unknownView, .unknownSource: return Self.response(.notFound(error.description))
            case .accessDenied: return Self.response(.forbidden(error.description))
            default: return Self.response(.badRequest(error.description))
            }
        } catch let error as HTTPResponseError {
            let message = (error as? HTTPError)?.body
                ?? (error.status == .notFound ? "no route for \(request.method) \(request.uri.path)" : error.status.reasonPhrase)
            return Self.response(APIError(error.status, message))
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.response(APIError(.internalServerError, "internal error"))
        }
    }

    static func response(_ error: APIError) -> Response {
        let data = (try? JSONEncoder().encode(ErrorBody(status: error.status.code, message: error.message))) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The JSON body of every error answer.
private struct ErrorBody: Encodable {
    var status: Int
    var message: String
}
