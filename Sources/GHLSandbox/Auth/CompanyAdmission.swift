import HTTPTypes
import Hummingbird

/// What the agency-level routes (`/oauth/installedLocations`, `/oauth/locationToken`,
/// `/locations/search`) check: a bearer token (401) that is a Company token (401 for a location
/// token), the `Version` header (400), the agency named (403 for another), the company's rate budget (429).
extension SandboxCore {
    func admitCompany(_ request: Request, endpoint: String, companyID: String?) throws(APIError) -> HTTPFields {
        let (grant, unspent) = try authenticate(request)
        guard let company = grant.company else {
            throw APIError(.unauthorized, "This route needs a Company (agency) access token", headers: unspent)
        }
        guard let version = request.headers[.version], acceptedAPIVersions.contains(version) else {
            throw APIError(.badRequest, "Version header is missing or not supported", headers: unspent)
        }
        guard let companyID, !companyID.isEmpty else { throw APIError.unprocessable("companyId should not be empty", headers: unspent) }
        guard companyID == company else {
            throw APIError(.forbidden, "The token does not have access to this company.", headers: unspent)
        }
        let decision = limiter.admit(budget: grant.budgetKey, location: company)
        var headers = rateHeaders(decision.settings, remaining: decision.remaining, dailyRemaining: decision.dailyRemaining)
        counters.record(location: company, endpoint: endpoint, rateLimited: !decision.allowed)
        guard decision.allowed else {
            headers[.retryAfter] = String(decision.retryAfterSeconds)
            throw APIError(.tooManyRequests, "Too Many Requests", headers: headers)
        }
        return headers
    }
}
