import Foundation
@testable import GHLAPI
import GHLSandbox
import GHLStore
import GRDB
import Testing

/// `ghlsync connect` and `ghlsync sources import` against the sandbox's agency, then `sync --all`
/// over what they added.
@Suite struct AgencyCLITests {
    static let oauthEnvironment = ["APP_ID": "sandbox-client", "APP_SECRET": "sandbox-secret"]

    /// A sandbox agency of `locations` locations (the first `installed` with the app), and an initialised file.
    struct Fixture {
        let sandbox: GHLSandbox
        let endpoint: SandboxEndpoint
        let directory: TemporaryDirectory
        let db: String

        init(locations: Int, installed: Int) async throws {
            var configuration = SandboxConfiguration()
            configuration.locations = locations
            configuration.installedLocations = installed
            configuration.counts = RecordCounts(contacts: 120, opportunities: 40, orders: 30, transactions: 30, reviews: 20)
            configuration.rateLimit = RateLimitSettings(maxRequests: 100_000, windowMilliseconds: 10_000, dailyLimit: 10_000_000)
            sandbox = try GHLSandbox(configuration: configuration)
            endpoint = try await sandbox.start()
            directory = try TemporaryDirectory()
            db = directory.path("agency.sqlite")
            #expect(try CLIRunner.run(["init", "--db", db]).status == 0)
        }

        var store: Store { get throws { try Store(path: db) } }

        func connect() throws -> RunningCLI {
            try RunningCLI(["connect", "--db", db, "--client-id-env", "APP_ID", "--client-secret-env", "APP_SECRET",
                            "--redirect-port", "0", "--api-base", endpoint.baseURL, "--timeout", "120"],
                           environment: AgencyCLITests.oauthEnvironment)
        }

        /// Expects `path` to be mode 0600, and none of its tokens to appear anywhere in the database file.
        func expectSecretsOutsideTheDatabase(_ path: String) throws {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
            #expect(mode == 0o600)
            let secrets = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: db))
            if let wal = FileManager.default.contents(atPath: db + "-wal") { bytes += wal }
            for key in ["refresh_token", "access_token", "client_secret"] {
                let token = try #require(secrets[key], "\(key) missing from \(path)")
                #expect(bytes.range(of: Data(token.utf8)) == nil, "the database holds the \(key)")
            }
        }
    }

    /// Completes the choose-location page as a person would: reads the URL `connect` printed, loads
    /// the form, and submits `target` (the redirect to the callback is followed).
    static func choose(_ target: String, on connect: RunningCLI, sandbox: String) async throws -> GHLHTTPResponse {
        let url = try await connect.line { $0.hasPrefix(sandbox + "/oauth/chooselocation?") }
        let transport = AsyncHTTPTransport()
        let page = try await transport.send(GHLHTTPRequest(method: "GET", url: url, headers: [], body: nil), timeout: .seconds(30))
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("value=\"\(target)\""))
        let query = try #require(URLComponents(string: url)?.percentEncodedQuery)
        return try await transport.send(GHLHTTPRequest(method: "POST", url: sandbox + "/oauth/chooselocation",
                                                       headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                       body: Array((query + "&target=" + target).utf8)), timeout: .seconds(30))
    }

    @Test func connectWithALocationTokenAddsThatLocationAndKeepsTheTokensOutOfTheFile() async throws {
        let fixture = try await Fixture(locations: 2, installed: 2)
        let location = fixture.endpoint.locations[1].locationID
        let connect = try fixture.connect()
        let callback = try await Self.choose(location, on: connect, sandbox: fixture.endpoint.baseURL)
        #expect(callback.status == 200)
        #expect(String(decoding: callback.body, as: UTF8.self).contains("received the authorization"))
        let result = connect.wait()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let sources = try await fixture.store.sources()
        #expect(sources.map(\.locationId) == [location])
        #expect(sources.first?.id == result.lastLine)
        let credentials = fixture.db + ".location-\(location).json"
        #expect(sources.first?.tokenFile == URL(fileURLWithPath: credentials).standardizedFileURL.path)
        try fixture.expectSecretsOutsideTheDatabase(credentials)

        let sync = try CLIRunner.run(["sync", "--db", fixture.db, "--source", result.lastLine, "--mode", "full"])
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        try await expectTablesEqual(try fixture.store, sourceId: result.lastLine, to: fixture.sandbox, location: location)
        try fixture.expectSecretsOutsideTheDatabase(credentials)
        await fixture.sandbox.stop()
    }

    @Test func connectRefusesAWrongStateAndWithACompanyTokenAddsEveryInstalledLocation() async throws {
        let fixture = try await Fixture(locations: 3, installed: 2)
        let forged = try fixture.connect()
        let url = try await forged.line { $0.hasPrefix(fixture.endpoint.baseURL + "/oauth/chooselocation?") }
        let redirect = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "redirect_uri" }?.value)
        let code = fixture.sandbox.authorizationCode(location: fixture.endpoint.locations[0].locationID)
        let refused = try await AsyncHTTPTransport().send(
            GHLHTTPRequest(method: "GET", url: redirect + "?code=\(code)&state=forged", headers: [], body: nil), timeout: .seconds(30))
        #expect(refused.status == 400)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("state does not match"))
        let failed = forged.wait()
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("state does not match"))
        #expect(try await fixture.store.sources().isEmpty)

        let connect = try fixture.connect()
        #expect(try await Self.choose("company", on: connect, sandbox: fixture.endpoint.baseURL).status == 200)
        let result = connect.wait()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.lastLine == "2 added, 0 reactivated, 0 deactivated, 0 unchanged")
        let sources = try await fixture.store.sources()
        #expect(Set(sources.map(\.locationId)) == Set(fixture.sandbox.installedLocations))
        #expect(sources.allSatisfy { $0.companyId == fixture.sandbox.companyID })
        let credentials = fixture.db + ".agency-\(fixture.sandbox.companyID).json"
        try fixture.expectSecretsOutsideTheDatabase(credentials)
        await fixture.sandbox.stop()
    }

    @Test func importingAnAgencyOfFiveIsIdempotentFollowsInstallsAndSyncsEveryLocation() async throws {
        let fixture = try await Fixture(locations: 6, installed: 5)
        let credentials = fixture.directory.path("agency.json")
        let secrets = """
            {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "refresh_token": "\(fixture.sandbox.companyRefreshToken)",
             "user_type": "Company", "company_id": "\(fixture.sandbox.companyID)"}
            """
        #expect(FileManager.default.createFile(atPath: credentials, contents: Data(secrets.utf8), attributes: [.posixPermissions: 0o600]))
        func runImport(_ extra: String...) throws -> CLIRunner.Result {
            let result = try CLIRunner.run(["sources", "import", "--db", fixture.db, "--agency-credentials", credentials,
                                            "--api-base", fixture.endpoint.baseURL] + extra)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            return result
        }
        #expect(try runImport("--dry-run").lastLine == "dry run: 5 added, 0 reactivated, 0 deactivated, 0 unchanged")
        #expect(try await fixture.store.sources().isEmpty)
        #expect(try runImport("--every", "15m").lastLine == "5 added, 0 reactivated, 0 deactivated, 0 unchanged")
        #expect(try await fixture.store.sources().map(\.syncIntervalSeconds) == Array(repeating: 900, count: 5), "serve syncs them every 15 minutes")
        #expect(try runImport().lastLine == "0 added, 0 reactivated, 0 deactivated, 5 unchanged")
        let installed = fixture.sandbox.installedLocations
        #expect(try await fixture.store.sources().map(\.locationId).sorted() == installed.sorted())
        try fixture.expectSecretsOutsideTheDatabase(credentials)

        let sync = try CLIRunner.run(["sync", "--db", fixture.db, "--all", "--mode", "full"])
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        for source in try await fixture.store.sources() {
            try await expectTablesEqual(try fixture.store, sourceId: source.id, to: fixture.sandbox, location: source.locationId)
        }

        try fixture.sandbox.uninstallApp(location: installed[2])
        try fixture.sandbox.installApp(location: fixture.endpoint.locations[5].locationID)
        #expect(try runImport().lastLine == "1 added, 0 reactivated, 1 deactivated, 4 unchanged")
        let active = try await fixture.store.sources().filter(\.isActive).map(\.locationId)
        #expect(Set(active) == Set(fixture.sandbox.installedLocations))
        #expect(try await fixture.store.sources().count == 6)
        await fixture.sandbox.stop()
    }
}

/// A `ghlsync` run in the background whose stdout lines a test waits for while it runs.
final class RunningCLI: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private let errors = Pipe()
    private let out = Pipe()

    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = out
        process.standardError = errors
        out.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            lock.withLock { output += data }
        }
        try process.run()
    }

    var stdout: String { lock.withLock { String(decoding: output, as: UTF8.self) } }

    /// The first stdout line that matches, waiting up to a minute for it.
    func line(where matches: (String) -> Bool) async throws -> String {
        for _ in 0..<600 {
            if let line = stdout.split(separator: "\n").map(String.init).first(where: matches) { return line }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw CLIRunner.CLIError(message: "no such line; output so far: \(stdout)")
    }

    /// Stops it as Ctrl-C would (SIGTERM) and waits for the exit.
    func stop() -> CLIRunner.Result {
        process.terminate()
        return wait()
    }

    /// Waits for the exit (at most two minutes).
    func wait() -> CLIRunner.Result {
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        lock.withLock { output += rest }
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        return CLIRunner.Result(status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }
}
