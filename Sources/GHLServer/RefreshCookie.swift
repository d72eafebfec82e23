import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's refresh token, kept where its scripts cannot read it: an
/// HttpOnly, SameSite=Strict cookie scoped to `/auth/v1`, Secure when the
/// request reached the server over TLS (a TLS proxy says so with
/// `X-Forwarded-Proto: https`). The dashboard holds only the short-lived access
/// token, in memory, so a script injected into the page can steal neither a
/// stored access token nor the refresh token.
///
/// A token request opts in with the `X-Refresh-Cookie: 1` header; a
/// cross-site form cannot send that header, and the browser withholds a
/// SameSite=Strict cookie from other sites anyway.
enum RefreshCookie {
    static let name = "ghlsync_refresh"
    static let optInHeader = HTTPField.Name("X-Refresh-Cookie")!
    private static let path = "/auth/v1"

    /// Whether the request asks for the cookie instead of a token in the body.
    static func requested(by request: Request) -> Bool {
        request.headers[optInHeader] == "1"
    }

    /// The refresh token the request's cookie carries, if any.
    static func token(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return String(parts[1]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` holding `token`, or clearing the cookie when it is nil.
    static func header(_ token: String?, for request: Request, maxAge: Int) -> String {
        let secure = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" ? "; Secure" : ""
        return "\(name)=\(token ?? ""); Path=\(path); Max-Age=\(token == nil ? 0 : maxAge); HttpOnly; SameSite=Strict\(secure)"
    }
}
