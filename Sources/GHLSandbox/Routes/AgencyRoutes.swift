import GHLJSON
import Hummingbird

/// The agency-level routes a Company token calls (shared/ghl-api/openapi/oauth.json, locations.json):
/// `GET /oauth/installedLocations` (`companyId`, `appId`, `isInstalled`, `query`, `skip`, `limit`),
/// `POST /oauth/locationToken` (form `companyId`, `locationId`: a Location access token, no refresh
/// token) and `GET /locations/search` (`companyId`, `skip`, `limit`, `order`, `email`). The official
/// Python SDK 3.0.0 calls the first two as `/oauth/installed-locations` (with `pageSize` for `limit`)
/// and `/oauth/location-token`; both spellings are served.
extension SandboxCore {
    func addAgencyRoutes(to router: Router<BasicRequestContext>) {
        for path in ["/oauth/installedLocations", "/oauth/installed-locations"] {
            router.get(RouterPath(path)) { request, _ in try self.installedLocations(request) }
        }
        for path in ["/oauth/locationToken", "/oauth/location-token"] {
            router.post(RouterPath(path)) { request, _ in try await self.locationToken(request) }
        }
        router.get("/locations/search") { request, _ in try self.searchLocations(request) }
    }

    private func installedLocations(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        let headers = try admitCompany(request, endpoint: "GET /oauth/installedLocations", companyID: query["companyId"].map(String.init))
        guard query["appId"].map(String.init) == Agency.appID(clientID: tokens.clientID) else {
            throw APIError.unprocessable("appId must be the id of the app the token belongs to", headers: headers)
        }
        let onlyInstalled = query["isInstalled"] == "true"
        let search = query["query"].map { String($0).lowercased() }
        let (skip, limit) = try Self.window(query, defaultLimit: 20, headers: headers, limitNames: ["limit", "pageSize"])
        let matching = agency.locations.compactMap { id -> (String, JSONValue, Int64?)? in
            let installedAt = agency.installedAt(id)
            guard !onlyInstalled || installedAt != nil, let location = locationRecord(id) else { return nil }
            if let search, !(location["name"]?.stringValue ?? "").lowercased().contains(search) { return nil }
            return (id, location, installedAt)
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("locations")
        w.beginArray()
        for (id, location, installedAt) in matching.dropFirst(skip).prefix(limit) {
            w.beginObject()
            w.field("_id", id)
            w.field("name", location["name"]?.stringValue ?? id)
            w.field("address", location["address"]?.stringValue ?? "")
            w.field("isInstalled", installedAt != nil)
            if let installedAt { w.field("installedAt", time: installedAt) }
            w.endObject()
        }
        w.endArray()
        w.field("count", matching.count)
        w.field("installToFutureLocations", false)
        w.endObject()
        return jsonResponse(headers: headers, body: w.bytes)
    }

    private func locationToken(_ request: Request) async throws -> Response {
        let form = Self.parseForm(String(buffer: try await request.body.collect(upTo: 1 << 16)))
        let headers = try admitCompany(request, endpoint: "POST /oauth/locationToken", companyID: form["companyId"])
        guard let location = form["locationId"], !location.isEmpty else { throw APIError.unprocessable("locationId should not be empty", headers: headers) }
        guard agency.owns(location), agency.installedAt(location) != nil else {
            throw APIError(.badRequest, "The app is not installed on location \(location)", headers: headers)
        }
        var w = JSONWriter()
        w.beginObject()
        w.field("access_token", tokens.locationAccessToken(location))
        w.field("token_type", "Bearer")
        w.field("expires_in", tokens.lifetimeSeconds)
        w.field("scope", Self.scopes)
        w.field("locationId", location)
        w.field("userId", "sandbox-user")
        w.field("appId", Agency.appID(clientID: tokens.clientID))
        w.endObject()
        return jsonResponse(headers: headers, body: w.bytes)
    }

    private func searchLocations(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        let headers = try admitCompany(request, endpoint: "GET /locations/search", companyID: query["companyId"].map(String.init) ?? agency.companyID)
        let (skip, limit) = try Self.window(query, defaultLimit: 10, headers: headers)
        var ids = agency.locations
        if query["order"] == "desc" { ids.reverse() }
        let email = query["email"].map { String($0).lowercased() }
        let records = ids.compactMap { locationRecord($0) }.filter { email == nil || $0["email"]?.stringValue?.lowercased() == email }
        return jsonResponse(headers: headers, body: JSONValue.object([
            JSONField(key: "locations", value: .array(Array(records.dropFirst(skip).prefix(limit)))),
        ]).encoded)
    }

    private func locationRecord(_ id: String) -> JSONValue? {
        dataset.locationJSON(id).flatMap { try? JSONValue(parsing: $0) }
    }

    /// `skip` and the page size (the first of `limitNames` sent), which GHL's files type as strings of digits.
    private static func window(_ query: Parameters, defaultLimit: Int, headers: HTTPFields,
                               limitNames: [String] = ["limit"]) throws -> (Int, Int) {
        func number(_ names: [String], _ fallback: Int) throws -> Int {
            guard let name = names.first(where: { query[Substring($0)] != nil }), let text = query[Substring(name)] else { return fallback }
            guard let value = Int(text), value >= 0 else { throw APIError.unprocessable("\(name) must be a non-negative integer", headers: headers) }
            return value
        }
        return (try number(["skip"], 0), try number(limitNames, defaultLimit))
    }
}
