import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GHLJSON
import GHLPostgres
import GHLPostgresTestSupport
import GHLSandbox
import GHLServer
import GHLSync
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

/// `serve --db postgres://`, run as a process: sign-in, `/rest/v1` reads under
/// the database's RLS, realtime from `ghlsync_changes`; a viewer of one source
/// reads and hears nothing of another; two servers on one database both
/// deliver a change a `ghlsync sync` process commits; a signed webhook reaches
/// the table and the WebSocket.
@Suite(.timeLimit(.minutes(5))) struct PostgresServeTests {
    @Test func aViewerOfOneSourceReadsAndHearsNothingOfTheOther() async throws {
        let world = try await PostgresServeWorld(locations: 2)
        defer { world.stop() }
        #expect(try world.cli(["sync", "--all", "--db", world.url]).status == 0)
        // A database whose default time zone is not UTC: the reads are in UTC all the same.
        _ = try world.psql("ALTER DATABASE \"\(world.database)\" SET TimeZone = 'Pacific/Kiritimati'")
        let serve = try await world.serve()
        defer { _ = serve.process.stop() }
        let http = HTTP(port: serve.port)
        let token = try await http.signIn("viewer@example.com", PostgresServeWorld.password)
        let (a, b) = (world.sourceIds[0], world.sourceIds[1])

        let summary = try await http.rows("/rest/v1/v_ghl_dashboard_summary", token: token)
        #expect(summary.map { $0["source_id"] as? String } == [a])
        #expect(summary.first?["contacts_count"] as? Int == PostgresServeWorld.contacts)
        #expect(try await http.rows("/rest/v1/v_ghl_contacts_recent?source_id=eq.\(b)", token: token).isEmpty)
        #expect(try await http.rows("/rest/v1/v_ghl_contacts_recent?source_id=in.(\(a),\(b))&select=source_id", token: token)
            .allSatisfy { $0["source_id"] as? String == a })
        // The grammar's filters, order, paging and count, rendered for PostgreSQL.
        let (page, headers) = try await http.get(
            "/rest/v1/v_ghl_contacts_recent?select=id:ghl_contact_id,date_updated&ghl_contact_id=like.*&email=not.is.null"
                + "&order=date_updated.desc,ghl_contact_id&limit=5&offset=2",
            token: token, headers: ["Prefer": "count=exact"])
        let rows = try #require(try JSONSerialization.jsonObject(with: page) as? [[String: Any]])
        #expect(rows.count == 5 && rows.allSatisfy { $0.keys.sorted() == ["date_updated", "id"] }, "\(rows)")
        let withEmail = try world.psql("SELECT count(*) FROM ghl_contacts WHERE source_id = '\(a)' AND email IS NOT NULL AND deleted_at IS NULL")
        #expect(headers["Content-Range"] == "2-6/\(withEmail.trimmingCharacters(in: .whitespacesAndNewlines))", "\(headers)")
        let dates = rows.compactMap { $0["date_updated"] as? String }
        #expect(dates == dates.sorted(by: >) && dates.allSatisfy { $0.hasSuffix("Z") && $0.contains("T") }, "\(dates)")
        // An instant given without a zone is read in UTC, as `query --as` reads it.
        let newest = try #require(dates.first)
        let same = try await http.rows("/rest/v1/v_ghl_contacts_recent?select=date_updated&date_updated=eq.\(newest.dropLast())", token: token)
        #expect(!same.isEmpty && same.allSatisfy { $0["date_updated"] as? String == newest }, "\(same)")

        // A value its column cannot take is the client's error, as on the file, not a 500.
        let (invalid, invalidStatus) = try await http.raw("/rest/v1/v_ghl_dashboard_summary?contacts_count=eq.many", token: token)
        #expect(invalidStatus == 400, "\(String(decoding: invalid, as: UTF8.self))")

        // Views only, as on the file: a table's `id` is one identity counted across all sources.
        #expect(try await http.raw("/rest/v1/ghl_contacts", token: token).1 == 404)
        #expect(try await http.raw("/rest/v1/ghl_sync_jobs", token: token).1 == 404)
        #expect(try await http.raw("/rest/v1/users", token: token).1 == 404)
        // B's jobs taken between A's: A's viewer sees A's own job numbers, not the shared identity's gap.
        _ = try world.psql("""
            INSERT INTO ghl_sync_jobs (source_id, job_type, status, started_at, source_job_number)
            SELECT '\(b)', 'contacts', 'completed', now(), 1000 + n FROM generate_series(1, 7) n;
            INSERT INTO ghl_sync_jobs (source_id, job_type, status, started_at, source_job_number)
            SELECT '\(a)', 'contacts', 'running', now(), max(source_job_number) + 1 FROM ghl_sync_jobs WHERE source_id = '\(a)';
            """)
        let jobs = try await http.rows("/rest/v1/v_ghl_sync_status?select=entity,job_id", token: token)
        let numbers = try world.psql("""
            SELECT job_type || '=' || source_job_number FROM ghl_sync_jobs j WHERE source_id = '\(a)'
            AND id = (SELECT max(id) FROM ghl_sync_jobs k WHERE k.source_id = j.source_id AND k.job_type = j.job_type) ORDER BY 1
            """).split(separator: "\n").map(String.init)
        #expect(jobs.map { "\($0["entity"] as? String ?? "")=\($0["job_id"] as? Int ?? -1)" }.sorted() == numbers, "\(jobs)")
        #expect(!numbers.isEmpty && numbers.contains { $0.hasPrefix("contacts=") })

        // An unsigned webhook is refused, as on the file; the dashboard loads.
        let (webhook, status) = try await http.raw("/webhooks/ghl", method: "POST", body: Data("{}".utf8))
        #expect(status == 401, "\(status) \(String(decoding: webhook, as: UTF8.self))")
        let (dashboard, dashboardStatus) = try await http.raw("/")
        #expect(dashboardStatus == 200 && String(decoding: dashboard, as: UTF8.self).contains("<html"))

        // Over the WebSocket: B's channel is refused; A's hears A's change made with psql.
        try await RealtimeClient.connect(port: serve.port) { client in
            #expect(try await client.join(b, token: token) == "error")
            #expect(try await client.join(a, token: token) == "ok")
            _ = try world.psql("UPDATE ghl_contacts SET email = 'b@example.com' WHERE id = (SELECT min(id) FROM ghl_contacts WHERE source_id = '\(b)')")
            _ = try world.psql("UPDATE ghl_contacts SET email = 'a@example.com' WHERE id = (SELECT min(id) FROM ghl_contacts WHERE source_id = '\(a)')")
            let change = try await client.nextChange()
            #expect(change.topic == "realtime:ghl:\(a)")
            #expect(change.operation == "UPDATE" && change.new["email"] as? String == "a@example.com", "\(change)")
            // The payload's `id` is GHL's, as on the file, not the table's identity.
            #expect(change.new["id"] as? String == change.new["ghl_contact_id"] as? String && change.new["id"] is String, "\(change)")
        }
    }

    /// The server in process (a `serve` process trusts GHL's keys only), trusting
    /// the sandbox's: a contact created in GHL arrives by its signed webhook.
    @Test func aSignedWebhookReachesTheTableAndAClientOnTheWebSocket() async throws {
        let world = try await PostgresServeWorld(locations: 1)
        defer { world.stop() }
        let source = world.sourceIds[0]
        let token = try world.cli(["users", "token", "--db", world.url, "--user", "viewer@example.com"]).lastLine
        let location = try world.psql("SELECT location_id FROM ghl_sources WHERE id = '\(source)'").trimmingCharacters(in: .whitespacesAndNewlines)
        let store = try PostgresStore(url: PostgresURL(world.url))
        let keys = try WebhookKeys(ed25519PEM: [world.sandbox.ed25519PublicKeyPEM], rsaPEM: [world.sandbox.rsaPublicKeyPEM])
        let server = try await ProductServer(postgres: store, webhookKeys: keys, environment: world.environment, logger: Logger(label: "test"))
        let app = try server.application(host: "127.0.0.1", port: 0, logger: Logger(label: "test")) { _ in }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            world.sandbox.webhookURL = "http://127.0.0.1:\(port)/webhooks/ghl"
            try await RealtimeClient.connect(port: port) { realtime in
                #expect(try await realtime.join(source, token: token) == "ok")
                _ = try world.sandbox.create(.contacts, location: location,
                                             fields: JSONValue(parsing: #"{"firstName":"Hooked","email":"hooked@example.com"}"#))
                let change = try await realtime.nextChange()
                #expect(change.topic == "realtime:ghl:\(source)")
                #expect(change.operation == "INSERT" && change.new["email"] as? String == "hooked@example.com", "\(change)")
            }
            #expect(world.sandbox.webhookDeliveries.map(\.status) == [200])
        }
        #expect(try world.psql("SELECT count(*) FROM ghl_contacts WHERE email = 'hooked@example.com' AND deleted_at IS NULL")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(try world.psql("SELECT count(*) FROM webhook_receipts WHERE source_id = '\(source)'")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        await store.close()
    }

    @Test func aClientResumesAcrossARestartWithWhatWasCommittedWhileServeWasDown() async throws {
        let world = try await PostgresServeWorld(locations: 1)
        defer { world.stop() }
        #expect(try world.cli(["sync", "--all", "--db", world.url]).status == 0)
        let source = world.sourceIds[0]
        let token = try world.cli(["users", "token", "--db", world.url, "--user", "viewer@example.com"]).lastLine
        let seen = Int64(try world.psql("SELECT last_seq FROM ghlsync_change_topics WHERE source_id = '\(source)'")
            .trimmingCharacters(in: .whitespacesAndNewlines))
        _ = try world.psql("UPDATE ghl_contacts SET email = 'while-down@example.com' WHERE id = (SELECT min(id) FROM ghl_contacts)")
        let serve = try await world.serve()
        defer { _ = serve.process.stop() }
        try await RealtimeClient.connect(port: serve.port) { client in
            #expect(try await client.join(source, token: token, sinceSeq: try #require(seen)) == "ok")
            let change = try await client.nextChange()
            #expect(change.operation == "UPDATE" && change.new["email"] as? String == "while-down@example.com", "\(change)")
        }
    }

    @Test func twoServesOnOneDatabaseBothDeliverWhatASyncProcessCommits() async throws {
        let world = try await PostgresServeWorld(locations: 1)
        defer { world.stop() }
        let (first, second) = (try await world.serve(), try await world.serve())
        defer { _ = first.process.stop(); _ = second.process.stop() }
        // One token for both: the signing key is the database's, not a server's.
        let issued = try world.cli(["users", "token", "--db", world.url, "--user", "viewer@example.com"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let token = issued.lastLine
        let source = world.sourceIds[0]
        let heard = try await withThrowingTaskGroup(of: Set<String>.self) { group in
            let joined = AsyncStream<Void>.makeStream()
            for serve in [first, second] {
                group.addTask {
                    try await RealtimeClient.connect(port: serve.port) { client in
                        guard try await client.join(source, token: token) == "ok" else { throw CLIRunner.CLIError(message: "join refused") }
                        joined.continuation.yield()
                        var contacts = Set<String>()
                        while contacts.count < PostgresServeWorld.contacts {
                            let change = try await client.nextChange()
                            if change.table == "ghl_contacts", change.operation == "INSERT", let id = change.new["ghl_contact_id"] as? String {
                                contacts.insert(id)
                            }
                        }
                        return contacts
                    }
                }
            }
            var joins = 0
            for await _ in joined.stream {
                joins += 1
                if joins == 2 { break }
            }
            let sync = try world.cli(["sync", "--db", world.url, "--source", source, "--mode", "full"])
            #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
            return try await group.reduce(into: [Set<String>]()) { $0.append($1) }
        }
        let inDatabase = Set(try world.psql("SELECT ghl_contact_id FROM ghl_contacts").split(separator: "\n").map(String.init))
        #expect(heard.count == 2 && heard.allSatisfy { $0 == inDatabase }, "\(heard.map(\.count)) of \(inDatabase.count)")
    }
}

/// A sandbox, a migrated PostgreSQL database with one source per sandbox
/// location, and a viewer of the first source with a password.
struct PostgresServeWorld: @unchecked Sendable {
    static let password = "viewer-password-1"
    static let contacts = 40
    let sandbox: GHLSandbox
    let url: String
    let database: String
    let sourceIds: [String]
    let environment: [String: String]

    init(locations: Int) async throws {
        var configuration = SandboxConfiguration()
        configuration.locations = locations
        configuration.counts = RecordCounts(contacts: Self.contacts, opportunities: 10, orders: 5, transactions: 5, reviews: 3)
        configuration.rateLimit = RateLimitSettings(maxRequests: 1_000_000, windowMilliseconds: 10_000, dailyLimit: 100_000_000)
        sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        url = try PostgresCluster.shared().createDatabase("serve")
        database = String(url.split(separator: "/").last!)
        var environment = ["VIEWER_PASSWORD": Self.password]
        var ids: [String] = []
        guard try CLIRunner.run(["init", "--db", url]).status == 0 else { throw CLIRunner.CLIError(message: "init failed") }
        for (index, location) in endpoint.locations.enumerated() {
            environment["GHL_TOKEN_\(index)"] = location.token
            let added = try CLIRunner.run(["sources", "add", "--db", url, "--name", "Location \(index)", "--location-id", location.locationID,
                                          "--api-base", endpoint.baseURL, "--token-env", "GHL_TOKEN_\(index)"])
            guard added.status == 0 else { throw CLIRunner.CLIError(message: added.stderr) }
            ids.append(added.lastLine)
        }
        sourceIds = ids
        self.environment = environment
        let user = try CLIRunner.run(["users", "add", "--db", url, "--email", "viewer@example.com", "--password-env", "VIEWER_PASSWORD"],
                                     environment: environment)
        guard user.status == 0 else { throw CLIRunner.CLIError(message: user.stderr) }
        let grant = try CLIRunner.run(["users", "grant", "--db", url, "--user", "viewer@example.com", "--source", ids[0], "--role", "viewer"])
        guard grant.status == 0 else { throw CLIRunner.CLIError(message: grant.stderr) }
        let listed = try CLIRunner.run(["users", "list", "--db", url])
        guard listed.stdout.contains("\(ids[0]):viewer") else { throw CLIRunner.CLIError(message: "users list: \(listed.stdout)\(listed.stderr)") }
    }

    func cli(_ arguments: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(arguments, environment: environment)
    }

    func psql(_ sql: String) throws -> String {
        try PostgresCluster.shared().psql(database: database, script: "\\pset tuples_only on\n\\pset format unaligned\n\(sql)")
    }

    /// `ghlsync serve` on a free port, once it listens.
    func serve() async throws -> (process: RunningCLI, port: Int) {
        let process = try RunningCLI(["serve", "--db", url, "--port", "0"], environment: environment)
        let line: String
        do { line = try await process.line { $0.hasPrefix("dashboard http://") } } catch {
            throw CLIRunner.CLIError(message: "serve did not start: \(process.stop().stderr)")
        }
        guard let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "/"))) }) else {
            throw CLIRunner.CLIError(message: "no port in \(line)")
        }
        return (process, port)
    }

    func stop() {
        let sandbox = sandbox
        Task { await sandbox.stop() }
    }
}

/// Plain HTTP to a served port.
private struct HTTP {
    let port: Int

    func raw(_ path: String, method: String = "GET", token: String? = nil, headers: [String: String] = [:],
             body: Data? = nil) async throws -> (Data, Int) {
        let (data, response) = try await send(path, method: method, token: token, headers: headers, body: body)
        return (data, response.statusCode)
    }

    func get(_ path: String, token: String, headers: [String: String] = [:]) async throws -> (Data, [String: String]) {
        let (data, response) = try await send(path, method: "GET", token: token, headers: headers, body: nil)
        guard (200..<300).contains(response.statusCode) else {
            throw CLIRunner.CLIError(message: "\(path): \(response.statusCode) \(String(decoding: data, as: UTF8.self))")
        }
        var fields: [String: String] = [:]
        for (name, value) in response.allHeaderFields { fields["\(name)"] = "\(value)" }
        return (data, fields)
    }

    func rows(_ path: String, token: String) async throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: try await get(path, token: token).0) as? [[String: Any]])
    }

    func signIn(_ email: String, _ password: String) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["email": email, "password": password])
        let (data, status) = try await raw("/auth/v1/token?grant_type=password", method: "POST", headers: ["Content-Type": "application/json"],
                                           body: body)
        let session = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard status == 200, let token = session?["access_token"] as? String else {
            throw CLIRunner.CLIError(message: "sign-in: \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return token
    }

    private func send(_ path: String, method: String, token: String?, headers: [String: String],
                      body: Data?) async throws -> (Data, HTTPURLResponse) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, response as! HTTPURLResponse)
    }
}

/// A Supabase-style realtime client: joins `realtime:ghl:{source}` and reads broadcasts.
private struct RealtimeClient {
    struct Change: CustomStringConvertible {
        var topic: String
        var table: String
        var operation: String
        var new: [String: Any]
        var description: String { "\(topic) \(operation) \(table) \(new)" }
    }

    var messages: WebSocketInboundMessageStream.AsyncIterator
    let outbound: WebSocketOutboundWriter

    static func connect<T: Sendable>(port: Int, _ body: @Sendable @escaping (inout RealtimeClient) async throws -> T) async throws -> T {
        let result = Mutex<T?>(nil)
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/realtime/v1/websocket?vsn=1.0.0",
                                          configuration: .init(maxFrameSize: 1 << 20), logger: Logger(label: "test-client")) { inbound, outbound, _ in
            var client = RealtimeClient(messages: inbound.messages(maxSize: 1 << 22).makeAsyncIterator(), outbound: outbound)
            let value = try await body(&client)
            result.withLock { $0 = value }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return try #require(result.withLock { $0 })
    }

    /// Joins the source's channel (resuming after `sinceSeq`); the reply's status (`ok` or `error`).
    mutating func join(_ sourceId: String, token: String, sinceSeq: Int64? = nil) async throws -> String {
        let topic = "realtime:ghl:\(sourceId)"
        let resume = sinceSeq.map { #","ghlsync":{"since_seq":\#($0)}"# } ?? ""
        try await outbound.write(.text(#"{"event":"phx_join","payload":{"config":{"broadcast":{"ack":false,"self":false},"private":true\#(resume)},"access_token":"\#(token)"},"topic":"\#(topic)","ref":"\#(sourceId)","join_ref":"\#(sourceId)"}"#))
        while true {
            let message = try await next()
            if message["event"] as? String == "phx_reply", message["topic"] as? String == topic {
                return (message["payload"] as? [String: Any])?["status"] as? String ?? ""
            }
        }
    }

    /// The next broadcast's change.
    mutating func nextChange() async throws -> Change {
        while true {
            let message = try await next()
            guard message["event"] as? String == "broadcast", let payload = message["payload"] as? [String: Any],
                  let change = payload["payload"] as? [String: Any] else { continue }
            return Change(topic: message["topic"] as? String ?? "", table: change["table"] as? String ?? "",
                          operation: change["operation"] as? String ?? "", new: change["new"] as? [String: Any] ?? [:])
        }
    }

    private mutating func next() async throws -> [String: Any] {
        guard case .text(let text) = try await messages.next() else { throw CLIRunner.CLIError(message: "the socket closed") }
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
