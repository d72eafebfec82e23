import ArgumentParser
import Foundation
import GHLSandbox

/// `ghlsync sandbox`: a GHL API v2 emulator on loopback, for demos, scripts and other GHL clients.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a GHL API v2 emulator with generated data on 127.0.0.1.",
        discussion: """
            Prints `location <locationId> token <token>` per location, the webhook public keys, then \
            `listening on http://127.0.0.1:<port>`. Runs until SIGINT or SIGTERM. Admin API: /_sandbox/...
            """)

    @Option(help: "Port to listen on; 0 picks a free one.") var port: Int
    @Option(help: "Seed of the generated data.") var seed: UInt64 = 1
    @Option(help: "Number of locations.") var locations: Int = 1
    @Option(help: "Contacts per location.") var contacts: Int = 200
    @Option(help: "Opportunities per location.") var opportunities: Int = 80
    @Option(help: "Orders per location.") var orders: Int = 60
    @Option(help: "Transactions per location.") var transactions: Int = 80
    @Option(help: "Reviews per location.") var reviews: Int = 40
    @Option(help: "Use this Private Integration Token for every location.") var token: String?
    @Option(name: .customLong("rate-limit"), help: "Requests per window, as R/S (e.g. 100/10 for 100 per 10 s).")
    var rateLimit: String = "100/10"
    @Option(name: .customLong("daily-limit"), help: "Requests per day per token and location.") var dailyLimit: Int = 200_000
    @Option(name: .customLong("webhook-url"), help: "POST signed change webhooks here.") var webhookURL: String?
    @Flag(help: "Also print the agency's Company refresh token (`company <companyId> refresh_token <token>`).") var agency = false
    @Option(name: .customLong("installed"), help: "Locations (the first N) where the agency's app starts installed; default all.")
    var installed: Int?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard locations >= 1 else { throw ValidationError("--locations must be at least 1") }
        guard (installed ?? 0) >= 0 else { throw ValidationError("--installed must not be negative") }
        guard [contacts, opportunities, orders, transactions, reviews].allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("record counts must not be negative")
        }
        _ = try parsedRateLimit()
    }

    private func parsedRateLimit() throws -> (Int, Int) {
        let parts = rateLimit.split(separator: "/")
        guard parts.count == 2, let requests = Int(parts[0]), let seconds = Double(parts[1]), requests > 0, seconds > 0 else {
            throw ValidationError("--rate-limit must look like 100/10 (requests per seconds)")
        }
        return (requests, Int(seconds * 1000))
    }

    func run() async throws {
        var config = SandboxConfiguration()
        config.seed = seed
        config.locations = locations
        config.counts = RecordCounts(
            contacts: contacts, opportunities: opportunities, orders: orders, transactions: transactions, reviews: reviews)
        config.fixedToken = token
        let (requests, windowMs) = try parsedRateLimit()
        config.rateLimit = RateLimitSettings(maxRequests: requests, windowMilliseconds: windowMs, dailyLimit: dailyLimit)
        config.webhookURL = webhookURL
        config.installedLocations = installed
        config.port = port
        let sandbox = try GHLSandbox(configuration: config)
        let endpoint = try await sandbox.start(stopOnSignals: true)
        // Written unbuffered: scripts read these lines from a pipe while the server runs.
        var banner = ""
        for location in endpoint.locations {
            banner += "location \(location.locationID) token \(location.token)\n"
        }
        for location in endpoint.locations {
            banner += "oauth \(location.locationID) refresh_token \(location.refreshToken)\n"
        }
        banner += "oauth client_id \(sandbox.oauthClientID) client_secret \(sandbox.oauthClientSecret)\n"
        if agency { banner += "company \(sandbox.companyID) refresh_token \(sandbox.companyRefreshToken)\n" }
        banner += "webhook rsa public key (x-wh-signature):\n\(sandbox.rsaPublicKeyPEM)\n"
        banner += "webhook ed25519 public key (x-ghl-signature):\n\(sandbox.ed25519PublicKeyPEM)"
        banner += "listening on \(endpoint.baseURL)\n"
        FileHandle.standardOutput.write(Data(banner.utf8))
        await sandbox.waitUntilStopped()
    }
}
