import Hummingbird

/// The agency-level routes a Company token calls (shared/ghl-api/openapi/oauth.json, locations.json):
/// `GET /oauth/installedLocations` (`companyId`, `appId`, `isInstalled`, `query`, `skip`, `limit`),
/// `POST /oauth/locationToken` (form `companyId`, `locationId`: a Location access token, no refresh
/// token) and `GET /locations/search` (`companyId`, `skip`, `limit`, `order`, `email`).
extension SandboxCore {
    func addAgencyRoutes(to router: Router<BasicRequestContext>) {
        router.get("/oauth/installedLocations") { request, _ in
            let query = request.uri.queryParameters
            let headers = try self.admitCompany(request, endpoint: "GET /oauth/installedLocations", companyID: query["companyId"].map(String.init))
            guard query["appId"].map(String.init) == Agency.appID(clientID: self.tokens.clientID) else {
                throw APIError.unprocessable("appId must be the id of the app the token belongs to", headers: headers)
            }
            let onlyInstalled = query["isInstalled"] == "true"
            let search = query["query"].map { String($0).lowercased() }
            let (skip, limit) = try Self.window(query, defaultLimit: 20, headers: headers)
            let matching = self.agency.locations.compactMap { id -> (String, JSONValue, Int64?)? in
                let installedAt = self.agency.installedAt(id)
                guard !onlyInstalled || installedAt != nil, let location = self.locationRecord(id) else { return nil }
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
        router.post("/oauth/locationToken") { request, _ in
            let form = Self.parseForm(String(buffer: try await request.body.collect(upTo: 1 << 16)))
            let headers = try self.admitCompany(request, endpoint: "POST /oauth/locationToken", companyID: form["companyId"])
            guard let location = form["locationId"], !location.isEmpty else { throw APIError.unprocessable("locationId should not be empty", headers: headers) }
            guard self.agency.owns(location), self.agency.installedAt(location) != nil else {
                throw APIError(.badRequest, "The app is not installed on location \(location)", headers: headers)
            }
            var w = JSONWriter()
            w.beginObject()
            w.field("access_token", self.tokens.locationAccessToken(location))
            w.field("token_type", "Bearer")
            w.field("expires_in", self.tokens.lifetimeSeconds)
            w.field("scope", Self.scopes)
            w.field("locationId", location)
            w.field("userId", "sandbox-user")
            w.field("appId", Agency.appID(clientID: self.tokens.clientID))
            w.endObject()
            return jsonResponse(headers: headers, body: w.bytes)
        }
        router.get("/locations/search") { request, _ in
            let query = request.uri.queryParameters
            let headers = try self.admitCompany(request, endpoint: "GET /locations/search", companyID: query["companyId"].map(String.init) ?? self.agency.companyID)
            let (skip, limit) = try Self.window(query, defaultLimit: 10, headers: headers)
            var ids = self.agency.locations
            if query["order"] == "desc" { ids.reverse() }
            let email = query["email"].map { String($0).lowercased() }
            let records = ids.compactMap { self.locationRecord($0) }.filter { email == nil || $0["email"]?.stringValue?.lowercased() == email }
            return jsonResponse(headers: headers, body: JSONValue.object([
                JSONField(key: "locations", value: .array(Array(records.dropFirst(skip).prefix(limit)))),
            ]).encoded)
        }
    }

    private func locationRecord(_ id: String) -> JSONValue? {
        dataset.locationJSON(id).flatMap { try? JSONValue(parsing: $0) }
    }

    /// `skip` and `limit`, which GHL's files type as strings of digits.
    private static func window(_ query: Parameters, defaultLimit: Int, headers: HTTPFields) throws -> (Int, Int) {
        func number(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = query[Substring(name)] else { return fallback }
            guard let value = Int(text), value >= 0 else { throw APIError.unprocessable("\(name) must be a non-negative integer", headers: headers) }
            return value
        }
        return (try number("skip", 0), try number("limit", defaultLimit))
    }
}
