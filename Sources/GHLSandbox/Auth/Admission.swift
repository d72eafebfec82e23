import HTTPTypes
import Hummingbird

/// The `Version` values real clients send: the one every endpoint in the official files names,
/// and the one the official Python SDK 3 sends.
public let acceptedAPIVersions: Set<String> = ["2021-07-28", "2021-04-15", "v3"]

/// What every API request goes through before its handler builds a page: bearer token (401),
/// `Version` (400), location access (403), rate limit (429), counters, injected faults. The
/// result carries the rate limit headers every response gets and any body fault to apply.
struct Admission: Sendable {
    let locationID: String
    let headers: HTTPFields
    let fault: FaultRule?

    func fail(_ message: String) -> APIError { .unprocessable(message, headers: headers) }

    /// A JSON response with this request's headers and body fault.
    func respond(_ body: ByteBuffer) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        switch fault?.kind {
        case .truncatedJSON?:
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: body.getSlice(at: 0, length: body.readableBytes / 2)!))
        case .malformedJSON?:
            var broken = body
            let bytes = body.readableBytesView
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
                broken.setInteger(UInt8(ascii: "="), at: colon)
            }
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: broken))
        case .cutConnection?:
            let half = body.getSlice(at: 0, length: body.readableBytes / 2)!
            return Response(status: .ok, headers: fields, body: ResponseBody(contentLength: body.readableBytes) { writer in
                try await writer.write(half)
                throw APIError(.internalServerError, "connection cut by sandbox fault injection")
            })
        default:
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: body))
        }
    }

    /// The fault that reshapes the first record served, if any.
    var recordFault: FaultKind? { fault.flatMap { RecordShaper.reshapes($0.kind) ? $0.kind : nil } }
}

extension SandboxCore {
    func rateHeaders(_ settings: RateLimitSettings, remaining: Int, dailyRemaining: Int) -> HTTPFields {
        var fields = HTTPFields()
        fields[.rateLimitDaily] = String(settings.dailyLimit)
        fields[.rateLimitDailyRemaining] = String(dailyRemaining)
        fields[.rateLimitInterval] = String(settings.windowMilliseconds)
        fields[.rateLimitMax] = String(settings.maxRequests)
        fields[.rateLimitRemaining] = String(remaining)
        return fields
    }

    /// The bearer token's grant (401 without a valid one), and the rate headers of a request that spent nothing.
    func authenticate(_ request: Request) throws(APIError) -> (Grant, HTTPFields) {
        let settings = limiter.settings
        let unspent = rateHeaders(settings, remaining: settings.maxRequests, dailyRemaining: settings.dailyLimit)
        switch tokens.authenticate(authorization: request.headers[.authorization]) {
        case .success(let grant): return (grant, unspent)
        case .failure(.missing): throw APIError(.unauthorized, "Invalid JWT: no bearer token", headers: unspent)
        case .failure(.unknown): throw APIError(.unauthorized, "Invalid token: access token is invalid", headers: unspent)
        case .failure(.expired): throw APIError(.unauthorized, "Invalid token: access token is expired", headers: unspent)
        }
    }

    /// - Parameter agencyAccess: the endpoint also takes the owning agency's Company token
    ///   (GHL's `Agency-Access` security, as `GET /locations/{locationId}` has).
    func admit(_ request: Request, endpoint: String, location: String?, agencyAccess: Bool = false) async throws(APIError) -> Admission {
        let (grant, unspent) = try authenticate(request)
        guard let version = request.headers[.version] else {
            throw APIError(.badRequest, "Version header is missing", headers: unspent)
        }
        guard acceptedAPIVersions.contains(version) else {
            throw APIError(.badRequest, "Version \(version) is not supported", headers: unspent)
        }
        guard let location, !location.isEmpty else {
            throw APIError.unprocessable("locationId should not be empty", headers: unspent)
        }
        let reachable = grant.locations.contains(location) || (agencyAccess && grant.company == agency.companyID && agency.owns(location))
        guard reachable, dataset.contains(location) else {
            throw APIError(.forbidden, "The token does not have access to this location.", headers: unspent)
        }
        let decision = limiter.admit(budget: grant.budgetKey, location: location)
        var headers = rateHeaders(decision.settings, remaining: decision.remaining, dailyRemaining: decision.dailyRemaining)
        guard decision.allowed else {
            counters.record(location: location, endpoint: endpoint, rateLimited: true)
            headers[.retryAfter] = String(decision.retryAfterSeconds)
            throw APIError(.tooManyRequests, "Too Many Requests", headers: headers)
        }
        let fault = faults.fault(path: request.uri.path, location: location)
        counters.record(location: location, endpoint: endpoint, rateLimited: fault?.kind == .tooManyRequests)
        switch fault?.kind {
        case .tooManyRequests?:
            headers[.retryAfter] = String(fault?.retryAfterSeconds ?? 1)
            throw APIError(.tooManyRequests, "Too Many Requests", headers: headers)
        case .internalServerError?: throw APIError(.internalServerError, "Internal Server Error", headers: headers)
        case .badGateway?: throw APIError(.badGateway, "Bad Gateway", headers: headers)
        case .serviceUnavailable?: throw APIError(.serviceUnavailable, "Service Unavailable", headers: headers)
        case .unprocessableEntity?: throw APIError.unprocessable("rejected by sandbox fault injection", headers: headers)
        case .slow?: try? await Task.sleep(for: .milliseconds(fault?.delayMilliseconds ?? 2_000))
        case .noRateHeaders?: headers = HTTPFields()
        default: break
        }
        return Admission(locationID: location, headers: headers, fault: fault)
    }
}
