import Foundation
import Hummingbird
import GHLJSON

/// The sandbox's own API, under `/_sandbox` (no auth: the sandbox is for loopback use).
///
/// - `GET /_sandbox/locations`: `[{locationId, token, refreshToken}]`
/// - `GET /_sandbox/records/{locationId}/{entity}`: every record, in paging order
/// - `GET|PATCH|DELETE /_sandbox/records/{locationId}/{entity}/{id}`: read, merge-patch
///   (`null` removes a field), delete; `POST /_sandbox/records/{locationId}/{entity}` creates.
///   Entities: contacts, opportunities, pipelines, orders, transactions, reviews. Changes bump
///   `dateUpdated`/`updatedAt` and send webhooks.
/// - `GET|POST|DELETE /_sandbox/faults`: list, add (one `FaultRule` object or an array), clear
/// - `GET|PUT /_sandbox/rate-limit`: `{maxRequests, windowMilliseconds, dailyLimit}`; PUT also
///   forgets spent budget
/// - `GET|DELETE /_sandbox/counters`: `[{locationId, endpoint, requests, rateLimited}]`, reset
/// - `POST /_sandbox/oauth/expire`: expire all access tokens; `POST /_sandbox/oauth/install?locationId=`:
///   installs the agency's app there (signed `INSTALL` webhook) and returns a new refresh token;
///   `POST /_sandbox/oauth/uninstall?locationId=`: uninstalls it (its tokens end; `UNINSTALL` webhook);
///   `POST /_sandbox/oauth/code?locationId=`: an authorization code
/// - `GET /_sandbox/agency`: `{companyId, refreshToken, installedLocations}`
/// - `GET /_sandbox/webhooks/keys`: `{rsaPublicKeyPEM, ed25519PublicKeyPEM}`;
///   `GET /_sandbox/webhooks/deliveries`: `[{type, status}]`
extension SandboxCore {
    func addAdminRoutes(to router: Router<BasicRequestContext>) {
        let admin = router.group("_sandbox")
        admin.get("locations") { _, _ in
            let list = self.dataset.locationTokens.map { location, token in
                JSONValue.object([
                    JSONField(key: "locationId", value: .string(location)), JSONField(key: "token", value: .string(token)),
                    JSONField(key: "refreshToken", value: .string(self.initialRefreshTokens[location] ?? "")),
                ])
            }
            return jsonResponse(body: JSONValue.array(list).encoded)
        }
        admin.get("records/:location/:entity") { _, context in
            let (location, entity) = try Self.target(context)
            guard let records = self.dataset.allRecords(entity, location: location) else { throw Self.notFound(SandboxError.unknownLocation(location)) }
            var body = PageBody(records: records)
            body.write("[")
            body.writeRecords(records, corruptFirst: nil)
            body.write("]")
            return jsonResponse(body: Array(body.buffer.readableBytesView))
        }
        admin.get("records/:location/:entity/:id") { _, context in
            let (location, entity) = try Self.target(context)
            let id = context.parameters.get("id") ?? ""
            do { return jsonResponse(body: try self.dataset.record(entity, location: location, id: id).json) } catch { throw Self.notFound(error) }
        }
        admin.post("records/:location/:entity") { request, context in
            let (location, entity) = try Self.target(context)
            let body = try await Self.jsonBody(request)
            do {
                let change = self.apply(try self.dataset.create(entity, location: location, fields: body))
                return jsonResponse(status: .created, body: change.new!.encoded)
            } catch { throw Self.notFound(error) }
        }
        admin.patch("records/:location/:entity/:id") { request, context in
            let (location, entity) = try Self.target(context)
            let body = try await Self.jsonBody(request)
            do {
                let change = self.apply(try self.dataset.update(entity, location: location, id: context.parameters.get("id") ?? "", patch: body))
                return jsonResponse(body: change.new!.encoded)
            } catch { throw Self.notFound(error) }
        }
        admin.delete("records/:location/:entity/:id") { _, context in
            let (location, entity) = try Self.target(context)
            do {
                let change = self.apply(try self.dataset.delete(entity, location: location, id: context.parameters.get("id") ?? ""))
                return jsonResponse(body: change.old!.encoded)
            } catch { throw Self.notFound(error) }
        }
        admin.get("faults") { _, _ in jsonResponse(body: Array(try JSONEncoder().encode(self.faults.active))) }
        admin.post("faults") { request, _ in
            let data = Data(buffer: try await request.body.collect(upTo: 1 << 16))
            let rules = (try? JSONDecoder().decode([FaultRule].self, from: data))
                ?? (try? JSONDecoder().decode(FaultRule.self, from: data)).map { [$0] }
            guard let rules else { throw APIError.unprocessable("body must be a fault rule or an array of them") }
            for rule in rules {
                do { self.faults.add(try rule.validated()) } catch { throw APIError.unprocessable("\(error)") }
            }
            return jsonResponse(status: .created, body: Array(try JSONEncoder().encode(self.faults.active)))
        }
        admin.delete("faults") { _, _ in
            self.faults.clear()
            return jsonResponse(body: Array("[]".utf8))
        }
        admin.get("rate-limit") { _, _ in jsonResponse(body: Array(try JSONEncoder().encode(self.limiter.settings))) }
        admin.put("rate-limit") { request, _ in
            let data = Data(buffer: try await request.body.collect(upTo: 1 << 16))
            guard let settings = try? JSONDecoder().decode(RateLimitSettings.self, from: data), settings.maxRequests > 0,
                settings.windowMilliseconds > 0, settings.dailyLimit > 0
            else { throw APIError.unprocessable("body must be {maxRequests, windowMilliseconds, dailyLimit}, all positive") }
            self.limiter.settings = settings
            self.limiter.reset()
            return jsonResponse(body: Array(data))
        }
        admin.get("counters") { _, _ in
            let rows = self.counters.snapshot.sorted { ($0.key.locationID, $0.key.endpoint) < ($1.key.locationID, $1.key.endpoint) }
            let list = rows.map { key, count in
                JSONValue.object([
                    JSONField(key: "locationId", value: .string(key.locationID)), JSONField(key: "endpoint", value: .string(key.endpoint)),
                    JSONField(key: "requests", value: .number(Double(count.requests))),
                    JSONField(key: "rateLimited", value: .number(Double(count.rateLimited))),
                ])
            }
            return jsonResponse(body: JSONValue.array(list).encoded)
        }
        admin.delete("counters") { _, _ in
            self.counters.reset()
            return jsonResponse(body: Array("[]".utf8))
        }
        admin.post("oauth/expire") { _, _ in
            self.tokens.expireAccessTokens()
            return jsonResponse(body: Array("{}".utf8))
        }
        admin.post("oauth/install") { request, _ in
            let location = try self.adminLocation(request)
            let installed = try self.installApp(location: location)
            return jsonResponse(body: JSONValue.object([
                JSONField(key: "refreshToken", value: .string(self.tokens.installApp(.location(location)))),
                JSONField(key: "installed", value: .bool(installed)),
            ]).encoded)
        }
        admin.post("oauth/uninstall") { request, _ in
            let location = try self.adminLocation(request)
            let uninstalled = try self.uninstallApp(location: location)
            return jsonResponse(body: JSONValue.object([JSONField(key: "uninstalled", value: .bool(uninstalled))]).encoded)
        }
        admin.get("agency") { _, _ in
            jsonResponse(body: JSONValue.object([
                JSONField(key: "companyId", value: .string(self.agency.companyID)),
                JSONField(key: "refreshToken", value: .string(self.companyRefreshToken)),
                JSONField(key: "installedLocations", value: .array(self.agency.locations.filter { self.agency.installedAt($0) != nil }.map { .string($0) })),
            ]).encoded)
        }
        admin.post("oauth/code") { request, _ in
            let location = try self.adminLocation(request)
            return jsonResponse(body: JSONValue.object([JSONField(key: "code", value: .string(self.tokens.authorizationCode(.location(location))))]).encoded)
        }
        admin.get("webhooks/keys") { _, _ in
            jsonResponse(body: JSONValue.object([
                JSONField(key: "rsaPublicKeyPEM", value: .string(self.webhooks.signer.rsaPublicKeyPEM)),
                JSONField(key: "ed25519PublicKeyPEM", value: .string(self.webhooks.signer.ed25519PublicKeyPEM)),
            ]).encoded)
        }
        admin.get("webhooks/deliveries") { _, _ in
            let list = self.webhooks.deliveries.map { d in
                JSONValue.object([
                    JSONField(key: "type", value: .string(d.type)),
                    JSONField(key: "status", value: d.status.map { .number(Double($0)) } ?? .null),
                ])
            }
            return jsonResponse(body: JSONValue.array(list).encoded)
        }
    }

    private func adminLocation(_ request: Request) throws -> String {
        guard let location = request.uri.queryParameters["locationId"].map(String.init), dataset.contains(location) else {
            throw APIError(.notFound, "unknown or missing locationId")
        }
        return location
    }

    private static func target(_ context: BasicRequestContext) throws -> (String, SandboxEntity) {
        guard let entity = context.parameters.get("entity").flatMap(SandboxEntity.init(rawValue:)) else {
            throw APIError(.notFound, "entity must be one of: " + SandboxEntity.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return (context.parameters.get("location") ?? "", entity)
    }

    private static func jsonBody(_ request: Request) async throws -> JSONValue {
        let raw = try await request.body.collect(upTo: 1 << 20)
        do { return try JSONValue(parsing: raw.readableBytesView) } catch { throw APIError.unprocessable(error.description) }
    }

    private static func notFound(_ error: any Error) -> APIError {
        switch error as? SandboxError {
        case .invalidRecord(let reason)?: return .unprocessable(reason)
        case .duplicateID?: return APIError(.conflict, "\(error)")
        default: return APIError(.notFound, "\(error)")
        }
    }
}
