import Foundation
import GHLServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Attacks on the HTTP front: oversized and ambiguous requests, slow and
/// half-sent ones, bodies too big, control characters in paths, foreign Host
/// headers, the metrics and health routes, and the dashboard's headers. Each
/// checks the answer, then that the server still answers normally.
@Suite(.serialized) struct FrontAttackTests {
    static let host = HTTPField.Name("Host")!
    static let webhookHead = "POST /webhooks/ghl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"

    /// Raw requests refused before the router, with the status they must get.
    static let refusedHeads: [(String, String, Int)] = [
        ("request line just over 8 KB", "GET /\(String(repeating: "a", count: 8300)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
        ("request line of 100 KB", "GET /?q=\(String(repeating: "b", count: 100_000)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
        ("request line without a version, 20 KB", "GET /\(String(repeating: "c", count: 20_000))", 414),
        ("headers over 32 KB", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (0..<400).map { "X-Pad-\($0): \(String(repeating: "d", count: 90))\r\n" }.joined() + "\r\n", 431),
        ("one header of 100 KB", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(String(repeating: "e", count: 100_000))\r\n\r\n", 431),
        ("headers over 32 KB on the WebSocket route", "GET /realtime/v1/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Pad: \(String(repeating: "f", count: 40_000))\r\n\r\n", 431),
        ("Content-Length with Transfer-Encoding", webhookHead + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("Transfer-Encoding before Content-Length", "POST /auth/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", 400),
        ("Transfer-Encoding: identity with Content-Length", "POST /auth/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: identity\r\nContent-Length: 4\r\n\r\n", 400),
        ("two different Content-Lengths", "POST /auth/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n", 400),
        ("non-numeric Content-Length", "POST /auth/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 12abc\r\n\r\n", 400),
        ("negative Content-Length", "POST /auth/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n", 400),
        ("a 50 MB webhook announced", webhookHead + "Content-Length: 52428800\r\n\r\n", 413),
        ("a 2 MB sign-in body announced", "POST /auth/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2097152\r\n\r\n", 413),
        ("a Content-Length past 64 bits", "POST /functions/v1/run-ghl-all HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413),
        ("NUL byte in the request line", "GET /app.js\u{0}.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
        ("control character 0x01 in the path", "GET /\u{1}index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
        ("DEL in the path", "GET /app\u{7F}.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
        ("tab inside the request target", "GET /app.js\t.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
        ("bare LF line ends with conflicting framing", "POST /auth/v1/token HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 3\nTransfer-Encoding: chunked\n\n", 400),
    ]

    static let limits: FrontLimits = {
        var limits = FrontLimits()
        limits.readTimeout = .milliseconds(800)
        limits.idleTimeout = .milliseconds(1500)
        return limits
    }()

    /// A real server over the fixture on a free port, for the attacks that live in the HTTP/1 channel.
    static func withServer(metricsToken: String? = nil, _ body: @Sendable (Int) async throws -> Void) async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        var front = try await fixture.front()
        front.limits = limits
        front.allowedHosts = ["127.0.0.1", "localhost"]
        front.metricsToken = metricsToken
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "attacks")
        logger.logLevel = .critical
        let app = try front.application(host: "127.0.0.1", port: 0, logger: logger) { continuation.yield($0) }
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let bound = await ports.first { _ in true }
        try await body(try #require(bound))
    }

    /// The server still answers an ordinary request on a new connection.
    static func expectHealthy(port: Int) async {
        let reply = await RawHTTP.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(reply.status == 200, "after the attack: \(reply.statusLine)")
        #expect(reply.text.hasSuffix("\r\n\r\nok"))
    }

    @Test(arguments: refusedHeads.indices)
    func refusedBeforeTheRouter(index: Int) async throws {
        let (name, request, status) = Self.refusedHeads[index]
        try await Self.withServer { port in
            let reply = await RawHTTP.exchange(port: port, request)
            #expect(reply.status == status, "\(name): \(reply.statusLine)")
            #expect(reply.closed, "\(name): the connection must be closed")
            #expect(reply.text.contains(#""status":\#(status)"#), "\(name): JSON error body")
            #expect(!reply.text.contains("text/html"), "\(name)")
            await Self.expectHealthy(port: port)
        }
    }

    @Test func oversizedRequestLineOnAKeptAliveConnection() async throws {
        try await Self.withServer { port in
            let first = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let second = "GET /\(String(repeating: "x", count: 9000)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let reply = await RawHTTP.exchange(port: port, [Array(first.utf8), Array(second.utf8)], pause: 0.3)
            #expect(reply.text.hasPrefix("HTTP/1.1 200"))
            #expect(reply.text.contains("HTTP/1.1 414"))
            #expect(reply.closed)
            await Self.expectHealthy(port: port)
        }
    }

    /// Slow and half-sent requests are dropped after the read timeout, with a 408.
    @Test(arguments: [
        ("half a request line", ["GET /healthz HT"]),
        ("a request line and half the headers", ["GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A"]),
        ("headers announcing a body never sent", ["POST /auth/v1/token?grant_type=password HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"a\""]),
        ("a webhook body trickled in", [webhookHead + "Content-Length: 1000\r\n\r\n{", "\"", "a", "\"", ":", "1", ","]),
        ("headers one byte at a time (slowloris)", "GET /healthz".map { String($0) }),
    ])
    func slowRequestsAreDropped(name: String, chunks: [String]) async throws {
        try await Self.withServer { port in
            let reply = await RawHTTP.exchange(port: port, chunks.map { Array($0.utf8) }, pause: 0.25, wait: 20)
            #expect(reply.closed, "\(name): still open")
            #expect(reply.status == 408, "\(name): \(reply.statusLine)")
            await Self.expectHealthy(port: port)
        }
    }

    @Test func idleConnectionIsClosed() async throws {
        try await Self.withServer { port in
            let reply = await RawHTTP.exchange(port: port, [], wait: 10)
            #expect(reply.closed)
            #expect(reply.text.isEmpty)
            await Self.expectHealthy(port: port)
        }
    }

    @Test func idleAfterAnAnsweredRequestIsClosed() async throws {
        try await Self.withServer { port in
            let reply = await RawHTTP.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", wait: 10)
            #expect(reply.status == 200)
            #expect(reply.closed)
            await Self.expectHealthy(port: port)
        }
    }

    /// Refused by the router over a real socket: `/app.js%00.html` is never the script as HTML, a
    /// rebinding Host never reaches the dashboard.
    @Test(arguments: [
        ("GET /app.js%00.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 400, "export "),
        ("GET / HTTP/1.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n\r\n", 421, "<title>"),
    ])
    func refusedByTheRouterOverTheSocket(request: String, status: Int, leak: String) async throws {
        try await Self.withServer { port in
            let reply = await RawHTTP.exchange(port: port, request)
            #expect(reply.status == status)
            #expect(!reply.text.contains("text/html"))
            #expect(!reply.text.contains(leak))
            await Self.expectHealthy(port: port)
        }
    }

    // MARK: in-process (router) attacks

    static func get(_ client: any TestClientProtocol, _ uri: String, _ headers: HTTPFields = [:]) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers)
    }

    static func routerTest(metricsToken: String? = nil, hosts: Set<String> = [],
                           _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await Fixture()
        var front = try await fixture.front()
        front.metricsToken = metricsToken
        front.allowedHosts = hosts
        defer { fixture.remove() }
        try await Application(router: front.router()).test(.router) { client in
            try await body(client)
            let health = try await get(client, "/healthz", [Self.host: "localhost"])
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == "ok")
        }
    }

    @Test(arguments: ["/app.js%00.html", "/app.js%00", "/index.html%0a", "/%01", "/app.css%0d%0aSet-Cookie:%20a=b", "/%7f", "/%zz", "/app.js%"])
    func pathsWithControlCharactersOrBadEncodingAreRefused(path: String) async throws {
        try await Self.routerTest { client in
            let response = try await Self.get(client, path)
            #expect(response.status == .badRequest, "\(path)")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test(arguments: ["/../Package.swift", "/%2e%2e/%2e%2e/etc/passwd", "/Dashboard/app.js", "/.git/HEAD", "/app.js.map", "/index.htm"])
    func noFileOutsideTheDashboardIsServed(path: String) async throws {
        try await Self.routerTest { client in
            let response = try await Self.get(client, path)
            #expect(response.status != .ok, "\(path)")
            #expect(!String(buffer: response.body).contains("root:"))
        }
    }

    @Test(arguments: ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example:8080", "[::2]:80", "0.0.0.0"])
    func foreignHostsGet421(host: String) async throws {
        try await Self.routerTest(hosts: ["127.0.0.1", "localhost"]) { client in
            for path in ["/", "/healthz", "/auth/v1/user"] {
                let response = try await Self.get(client, path, [Self.host: host])
                #expect(response.status == .misdirectedRequest, "\(host) \(path)")
            }
            let signIn = try await client.execute(uri: "/auth/v1/token?grant_type=password", method: .post, headers: [Self.host: host],
                                                  body: ByteBuffer(string: #"{"email":"owner@example.com","password":"\#(Fixture.password)"}"#))
            #expect(signIn.status == .misdirectedRequest)
        }
    }

    @Test(arguments: ["localhost", "LOCALHOST:8080", "127.0.0.1:9", "localhost."])
    func allowedHostsWithPortOrCaseAreAnswered(host: String) async throws {
        let allowed = host != "localhost."
        try await Self.routerTest(hosts: ["127.0.0.1", "localhost"]) { client in
            let response = try await Self.get(client, "/", [Self.host: host])
            #expect(response.status == (allowed ? .ok : .misdirectedRequest), "\(host)")
        }
    }

    @Test func metricsAreOffWithoutAToken() async throws {
        try await Self.routerTest { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer anything"]] {
                let response = try await Self.get(client, "/metrics", headers)
                #expect(response.status == .notFound)
            }
        }
    }

    @Test(arguments: [
        ("no Authorization", ""),
        ("a wrong token", "Bearer wrong-token"),
        ("the token with a suffix", "Bearer scrape-secret-x"),
        ("a prefix of the token", "Bearer scrape-secre"),
        ("Basic credentials", "Basic c2NyYXBlLXNlY3JldDo="),
        ("the token without a scheme", "scrape-secret"),
    ])
    func metricsRefuseAnythingButTheToken(name: String, authorization: String) async throws {
        try await Self.routerTest(metricsToken: "scrape-secret") { client in
            let headers: HTTPFields = authorization.isEmpty ? [:] : [.authorization: authorization]
            let response = try await Self.get(client, "/metrics?token=scrape-secret", headers)
            #expect(response.status == .unauthorized, "\(name)")
            #expect(!String(buffer: response.body).contains("ghlsync_"))
            let good = try await Self.get(client, "/metrics", [.authorization: "Bearer scrape-secret"])
            #expect(good.status == .ok)
            #expect(String(buffer: good.body).contains("# TYPE ghlsync_sync_runs_total counter"))
        }
    }

    @Test func healthSaysOnlyOK() async throws {
        try await Self.routerTest { client in
            let response = try await Self.get(client, "/healthz")
            #expect(String(buffer: response.body) == "ok")
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
    }

    @Test(arguments: ["/", "/index.html", "/app.js", "/api.js", "/realtime.js", "/widgets.js", "/app.css"])
    func dashboardSendsStrictSecurityHeaders(path: String) async throws {
        try await Self.routerTest { client in
            let response = try await Self.get(client, path)
            #expect(response.status == .ok)
            let policy = try #require(response.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"))
            #expect(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let notModified = try await Self.get(client, path, [.ifNoneMatch: try #require(response.headers[.eTag])])
            #expect(notModified.status == .notModified)
            #expect(notModified.headers[.contentSecurityPolicy] == policy)
        }
    }

    /// The policy forbids inline code, so the dashboard must carry none.
    @Test func dashboardHasNoInlineScriptOrStyle() async throws {
        try await Self.routerTest { client in
            let html = String(buffer: try await Self.get(client, "/").body)
            #expect(!html.contains("<style"))
            #expect(!html.contains(" style="))
            #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "inline event handler")
            let scripts = html.components(separatedBy: "<script").dropFirst()
            #expect(!scripts.isEmpty)
            for script in scripts { #expect(script.contains("src=") && script.contains("></script>")) }
            for file in ["/app.js", "/api.js", "/realtime.js", "/widgets.js"] {
                let code = String(buffer: try await Self.get(client, file).body)
                #expect(!code.contains("style=\""), "\(file) writes inline style attributes")
                #expect(!code.contains("eval("), "\(file)")
            }
        }
    }

    @Test(arguments: [("/", "text/html"), ("/app.js", "text/javascript"), ("/app.css", "text/css"),
                      ("/app.js?x=.html", "text/javascript"), ("/index.html?.js", "text/html")])
    func contentTypesFollowTheFileNotTheQuery(path: String, type: String) async throws {
        try await Self.routerTest { client in
            let response = try await Self.get(client, path)
            #expect(response.headers[.contentType] == "\(type); charset=utf-8", "\(path)")
        }
    }

    /// `If-None-Match` of the file's own ETag only gives 304; anything else gets the file.
    @Test(arguments: [("\"other\"", false), ("*", true), ("W/\"x\", \"y\"", false), ("", false)])
    func etagDecidesNotModified(ifNoneMatch: String, notModified: Bool) async throws {
        try await Self.routerTest { client in
            let first = try await Self.get(client, "/app.js")
            let etag = try #require(first.headers[.eTag])
            let conditional = try await Self.get(client, "/app.js", [.ifNoneMatch: ifNoneMatch])
            #expect(conditional.status == (notModified ? .notModified : .ok), "\(ifNoneMatch)")
            let listed = try await Self.get(client, "/app.js", [.ifNoneMatch: "\"other\", \(etag)"])
            #expect(listed.status == .notModified)
            let otherFile = try await Self.get(client, "/app.css", [.ifNoneMatch: etag])
            #expect(otherFile.status == .ok)
        }
    }

    /// gzip only when the client accepts it (a zero quality refuses it).
    @Test(arguments: [("br, gzip;q=0.8", true), ("*", true), ("gzip;q=0", false), ("identity", false), ("", false)])
    func gzipOnlyWhenAccepted(acceptEncoding: String, gzipped: Bool) async throws {
        try await Self.routerTest { client in
            let plain = try await Self.get(client, "/app.js")
            let response = try await Self.get(client, "/app.js", [.acceptEncoding: acceptEncoding])
            #expect(response.headers[.vary] == "Accept-Encoding")
            #expect(response.headers[.contentEncoding] == (gzipped ? "gzip" : nil), "\(acceptEncoding)")
            if gzipped {
                #expect(response.body.readableBytes < plain.body.readableBytes)
                #expect(Array(response.body.readableBytesView.prefix(2)) == [0x1F, 0x8B])
            } else {
                #expect(response.body == plain.body)
            }
        }
    }

    @Test func onlyGetAndHeadReachTheDashboard() async throws {
        try await Self.routerTest { client in
            let post = try await client.execute(uri: "/app.js", method: .post, body: ByteBuffer(string: "x"))
            #expect(post.status != .ok)
            let head = try await client.execute(uri: "/", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
        }
    }
}
