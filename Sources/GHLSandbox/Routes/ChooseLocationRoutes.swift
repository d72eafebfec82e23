import GHLJSON
import Foundation
import Hummingbird

/// The marketplace's authorization page (`/v2/oauth/chooselocation` at GHL), as a plain form a
/// test completes without a browser: `GET` with `response_type=code`, `client_id`, `redirect_uri`,
/// `scope`, `state` lists the agency and its locations; `POST` with the same fields and `target`
/// (`company` for the whole agency, or a location id) answers 302 to `redirect_uri?code=...&state=...`.
/// Choosing a location installs the app there (with its `INSTALL` webhook), as GHL does.
extension SandboxCore {
    func addChooseLocationRoutes(to router: Router<BasicRequestContext>) {
        router.get("/oauth/chooselocation") { request, _ in
            let fields = try self.authorizationFields(request.uri.queryParameters.reduce(into: [:]) { $0[String($1.key)] = String($1.value) })
            return Self.html(.ok, self.chooseLocationPage(fields))
        }
        router.post("/oauth/chooselocation") { request, _ in
            let form = Self.parseForm(String(buffer: try await request.body.collect(upTo: 1 << 16)))
            let fields = try self.authorizationFields(form)
            let subject: TokenSubject
            switch form["target"] ?? "" {
            case "company": subject = .company(self.agency.companyID)
            case let location where self.agency.owns(location):
                _ = try? self.installApp(location: location)
                subject = .location(location)
            default: return Self.html(.badRequest, "<p>Choose the agency or one of its locations.</p>")
            }
            let code = self.tokens.authorizationCode(subject, redirectURI: fields.redirectURI)
            var query = "code=" + Self.formEncode(code)
            if let state = fields.state { query += "&state=" + Self.formEncode(state) }
            let separator = fields.redirectURI.contains("?") ? "&" : "?"
            return Response(status: .found, headers: [.location: fields.redirectURI + separator + query])
        }
    }

    struct AuthorizationFields {
        var redirectURI: String
        var scope: String
        var state: String?
    }

    private func authorizationFields(_ fields: [String: String]) throws -> AuthorizationFields {
        guard fields["response_type"] == "code" else { throw APIError(.badRequest, "response_type must be code") }
        guard fields["client_id"] == tokens.clientID else { throw APIError(.badRequest, "unknown client_id") }
        guard let redirect = fields["redirect_uri"], let url = URL(string: redirect), url.scheme != nil else {
            throw APIError(.badRequest, "redirect_uri must be a URL")
        }
        return AuthorizationFields(redirectURI: redirect, scope: fields["scope"] ?? "", state: fields["state"])
    }

    private func chooseLocationPage(_ fields: AuthorizationFields) -> String {
        func hidden(_ name: String, _ value: String?) -> String {
            value.map { "<input type=\"hidden\" name=\"\(name)\" value=\"\(Self.escape($0))\">\n" } ?? ""
        }
        var page = "<!doctype html>\n<title>Choose location</title>\n<form method=\"post\" action=\"/oauth/chooselocation\">\n"
        page += hidden("response_type", "code") + hidden("client_id", tokens.clientID) + hidden("redirect_uri", fields.redirectURI)
        page += hidden("scope", fields.scope) + hidden("state", fields.state)
        page += "<label><input type=\"radio\" name=\"target\" value=\"company\"> Agency \(Self.escape(agency.companyID)) (every location where the app is installed)</label>\n"
        for location in agency.locations {
            let name = dataset.locationJSON(location).flatMap { try? JSONValue(parsing: $0)["name"]?.stringValue } ?? location
            page += "<label><input type=\"radio\" name=\"target\" value=\"\(Self.escape(location))\"> \(Self.escape(name))</label>\n"
        }
        return page + "<button type=\"submit\">Allow</button>\n</form>\n"
    }

    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}
