import Foundation
import HTTPTypes
import Hummingbird

/// Answers 421 to a request whose `Host` is not one the server was told it
/// serves, so a web page that rebinds its own DNS name to this address
/// (DNS rebinding) cannot reach sign-in, the API or the metrics.
struct AllowedHostsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Lowercased host names without port; empty lets every host through.
    let hosts: Set<String>

    init(hosts: Set<String>) {
        self.hosts = Set(hosts.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The HTTP/1 codec moves `Host` into the authority; any other Host field must be allowed too.
        let names = ([request.head.authority] + request.headers[values: Self.hostField].map { Optional($0) }).map(Self.hostName)
        guard hosts.isEmpty || (!names.isEmpty && names.allSatisfy { name in name.map { hosts.contains($0) } ?? false }) else {
            throw APIError(.misdirectedRequest, "this server does not answer for that Host; start it with --allowed-host NAME")
        }
        return try await next(request, context)
    }

    /// A `Host` field left among the headers (the codec took the first as authority).
    static var hostField: HTTPField.Name { HTTPField.Name("Host")! }

    /// `Host` without its port: `example.com:8080` → `example.com`, `[::1]:80` → `::1`.
    static func hostName(_ authority: String?) -> String? {
        guard let authority, !authority.isEmpty else { return nil }
        let lowered = authority.lowercased()
        if lowered.hasPrefix("["), let close = lowered.firstIndex(of: "]") {
            return String(lowered[lowered.index(after: lowered.startIndex)..<close])
        }
        return String(lowered.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0])
    }

    /// The hosts a server bound to `host` answers by default: that address,
    /// `localhost` and 127.0.0.1 (plus ::1).
    static func defaults(boundTo host: String) -> Set<String> {
        [host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")), "localhost", "127.0.0.1", "::1"]
    }
}
