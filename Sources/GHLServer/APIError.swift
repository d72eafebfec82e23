import Foundation
import GHLAuth
import GHLStore
import GHLSync
import Hummingbird

/// A failure the client is told about. Its body takes the shape of the API
/// the route belongs to (`Dialect`), so Supabase's own clients can read it.
public struct APIError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// The machine-readable code: GoTrue's `error_code`, PostgREST's `code`.
    public var code: String?
    public var details: String?
    public var hint: String?

    public init(_ status: HTTPResponse.Status, _ message: String, code: String? = nil, details: String? = nil, hint: String? = nil) {
        self.status = status
        self.message = message
        self.code = code
        self.details = details
        self.hint = hint
    }

    public var description: String { "\(status.code) \(message)" }

    public static func unauthorized(_ message: String = "missing or invalid access token") -> APIError { .init(.unauthorized, message) }
    public static func forbidden(_ message: String) -> APIError { .init(.forbidden, message) }
    public static func badRequest(_ message: String) -> APIError { .init(.badRequest, message) }
    public static func unprocessable(_ message: String) -> APIError { .init(.unprocessableContent, message) }
    public static func notFound(_ message: String) -> APIError { .init(.notFound, message) }
}

/// Which API's error shape an answer takes, decided by the route's prefix.
enum Dialect: Sendable {
    /// `/auth/v1`: GoTrue's `{code, error_code, msg}`.
    case gotrue
    /// `/rest/v1`: PostgREST's `{code, details, hint, message}`.
    case postgrest
    /// Everything else: ghlsync's own `{status, message}`.
    case ghlsync

    init(path: String) {
        self = path.hasPrefix("/auth/v1/") ? .gotrue : path.hasPrefix("/rest/v1/") ? .postgrest : .ghlsync
    }
}

extension APIError {
    /// The one mapping from what a route or a module throws to what the client
    /// is told. Unexpected errors become a 500 that hides their details.
    init(_ error: any Error, dialect: Dialect, path: String) {
        switch error {
        case let error as APIError:
            self = error
        case let error as ViewQueryError:
            let status: HTTPResponse.Status = switch error.kind {
            case .syntax, .unknownColumn: .badRequest
            case .unknownView: .notFound
            case .range: .rangeNotSatisfiable
            case .notSingular: .notAcceptable
            }
            self.init(status, error.message, code: error.code, details: error.details, hint: error.hint)
        case let error as AuthError:
            self = Self.auth(error, dialect: dialect)
        case let error as SyncError:
            switch error {
            case .alreadyRunning, .inactiveSource: self.init(.conflict, error.description)
            case .invalidInput: self = .unprocessable(error.description)
            case .token: self.init(.internalServerError, error.description)
            }
        case let error as WebhookError:
            let status: HTTPResponse.Status = switch error {
            case .badSignature: .unauthorized
            case .duplicate: .conflict
            case .unknownLocation: .notFound
            case .stale, .malformed: .badRequest
            case .configuration: .internalServerError
            case .unavailable: .tooManyRequests
            }
            self.init(status, error.description)
        case let error as StoreError:
            switch error {
            case .unknownView, .unknownSource: self = .notFound(error.description)
            case .accessDenied: self = .forbidden(error.description)
            case .timeLimitExceeded: self.init(.serviceUnavailable, error.description, code: dialect == .postgrest ? "57014" : nil)
            default: self = .badRequest(error.description)
            }
        case let error as HTTPResponseError:
            let message = (error as? HTTPError)?.body ?? (error.status == .notFound ? "no route for \(path)" : error.status.reasonPhrase)
            self.init(error.status, message)
        default:
            self.init(.internalServerError, "internal error")
        }
    }

    /// GoTrue's statuses and codes for sign-in and token failures.
    private static func auth(_ error: AuthError, dialect: Dialect) -> APIError {
        switch error {
        case .invalidCredentials: .init(.badRequest, "Invalid login credentials", code: "invalid_credentials")
        case .invalidRefreshToken: .init(.badRequest, "Invalid Refresh Token: Refresh Token Not Found", code: "refresh_token_not_found")
        case .invalidToken where dialect == .gotrue: .init(.forbidden, "invalid JWT: unable to parse or verify signature, token is expired or its session ended", code: "bad_jwt")
        case .invalidToken: .init(.unauthorized, error.description, code: dialect == .postgrest ? "PGRST301" : nil)
        case .unknownUser, .noGrant: .notFound(error.description)
        case .duplicateEmail: .init(.conflict, error.description, code: "email_exists")
        case .invalidEmail, .invalidPassword: .init(.badRequest, error.description, code: "validation_failed")
        case .keyFile: .init(.internalServerError, "internal error")
        }
    }

    private static func defaultCode(_ status: HTTPResponse.Status, _ dialect: Dialect) -> String? {
        switch dialect {
        case .ghlsync: nil
        case .gotrue:
            switch status {
            case .unauthorized: "no_authorization"
            case .forbidden: "bad_jwt"
            case .notFound: "not_found"
            case .badRequest, .unprocessableContent: "validation_failed"
            default: "unexpected_failure"
            }
        case .postgrest:
            switch status {
            case .unauthorized: "PGRST301"
            case .notFound: "PGRST125"
            case .badRequest: "PGRST100"
            default: "PGRST000"
            }
        }
    }

    /// The answer in the shape of the API the request went to.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(dialect: Dialect(path: request.uri.path))
    }

    private func response(dialect: Dialect) -> Response {
        let code = code ?? Self.defaultCode(status, dialect)
        let body: [String: JSONField] = switch dialect {
        case .gotrue: ["code": .int(status.code), "error_code": .string(code), "msg": .string(message)]
        case .postgrest: ["code": .string(code), "details": .string(details), "hint": .string(hint), "message": .string(message)]
        case .ghlsync: ["status": .int(status.code), "message": .string(message)]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? encoder.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A string-or-null or a number in an error body.
private enum JSONField: Encodable {
    case int(Int)
    case string(String?)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

/// Turns every error a route throws into an `APIError` (which Hummingbird
/// renders in the route's API shape), so that no failure answers with HTML or
/// an empty body. Unexpected errors are logged.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch {
            let path = request.uri.path
            let answer = APIError(error, dialect: Dialect(path: path), path: "\(request.method) \(path)")
            if answer.status == .internalServerError {
                context.logger.error("request failed", metadata: ["path": "\(path)", "error": "\(error)"])
            }
            throw answer
        }
    }
}
