import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `connect`'s one-shot receiver on `http://127.0.0.1:P/oauth/callback`: the first request with
/// this run's `state` hands its `code` over; one with another state (or GHL's `error`) is refused
/// with a page saying why, and ends the run. Either way the server then stops.
enum OAuthCallback {
    /// Serves until the callback arrives; `listening` gets the redirect URI on the bound port (for
    /// `--redirect-port 0`). Returns the code and that redirect URI, which the code exchange names.
    static func receive(port: Int, state: String, timeout: Duration,
                        listening: @escaping @Sendable (String) -> Void) async throws -> (code: String, redirectURI: String) {
        let (results, result) = AsyncStream.makeStream(of: Result<String, CLIError>.self)
        let (redirects, bound) = AsyncStream.makeStream(of: String.self)
        let router = Router()
        router.get("/oauth/callback") { request, _ -> Response in
            let query = request.uri.queryParameters
            let outcome: Result<String, CLIError>
            if query["state"].map(String.init) != state {
                outcome = .failure(CLIError("the callback's state does not match this connect run: refused (a forged or stale redirect)"))
            } else if let error = query["error"] {
                outcome = .failure(CLIError("GHL refused the authorization: \(error)"))
            } else if let code = query["code"].map(String.init), !code.isEmpty {
                outcome = .success(code)
            } else {
                outcome = .failure(CLIError("the callback carries no code"))
            }
            result.yield(outcome)
            switch outcome {
            case .success: return page(.ok, "ghlsync received the authorization. You can close this window.")
            case .failure(let error): return page(.badRequest, "Refused: \(error.description)")
            }
        }
        var logger = Logger(label: "ghlsync.connect")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in
                                  let redirect = Self.redirectURI(port: channel.localAddress?.port ?? port)
                                  bound.yield(redirect)
                                  listening(redirect)
                              }, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        let server = Task { try await group.run() }
        let timer = Task {
            try await Task.sleep(for: timeout)
            result.yield(.failure(CLIError("no callback arrived within \(timeout)")))
        }
        defer { timer.cancel() }
        var received: Result<String, CLIError> = .failure(CLIError("the callback server stopped"))
        for await first in results {
            received = first
            break
        }
        await group.triggerGracefulShutdown()
        try await server.value
        bound.finish()
        var redirect = Self.redirectURI(port: port)
        for await announced in redirects { redirect = announced }
        return (try received.get(), redirect)
    }

    static func redirectURI(port: Int) -> String { "http://127.0.0.1:\(port)/oauth/callback" }

    private static func page(_ status: HTTPResponse.Status, _ text: String) -> Response {
        let html = "<!doctype html>\n<title>ghlsync connect</title>\n<p>\(text.replacingOccurrences(of: "<", with: "&lt;"))</p>\n"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
