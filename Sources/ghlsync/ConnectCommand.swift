import ArgumentParser
import Foundation
import GHLAPI
import GHLStore
import GHLSync

/// `ghlsync connect`: GHL's OAuth authorization-code flow for a Marketplace app, so a user gets a
/// location's or a whole agency's tokens without handling refresh tokens by hand.
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect a GHL location, or a whole agency, through your Marketplace app's OAuth.",
        discussion: """
            Prints the choose-location URL (and opens a browser when $DISPLAY is set), receives the code on \
            http://127.0.0.1:<redirect-port>/oauth/callback (register that redirect URI with the app), checks \
            `state`, exchanges the code, and keeps the tokens in a 0600 credentials file beside the database \
            (`<db>.location-<id>.json` or `<db>.agency-<companyId>.json`), never in it. A Location token adds \
            that location as a source; a Company token adds every location where the app is installed.
            """)

    @OptionGroup var database: DatabaseOption
    @Option(name: .customLong("client-id-env"), help: "Environment variable holding the app's client id.") var clientIdEnv: String
    @Option(name: .customLong("client-secret-env"), help: "Environment variable holding the app's client secret.") var clientSecretEnv: String
    @Option(help: "Space-separated scopes to ask for.")
    var scopes = "contacts.readonly opportunities.readonly payments/orders.readonly payments/transactions.readonly products.readonly locations.readonly oauth.readonly oauth.write"
    @Option(name: .customLong("redirect-port"), help: "Port of the loopback redirect URI; 0 picks a free one.") var redirectPort = 8976
    @Option(name: .customLong("api-base"), help: "GHL API base URL.") var apiBase: String = Source.defaultAPIBase
    @Option(name: .customLong("authorize-url"), help: "The choose-location page (default: GHL's marketplace, or <api-base>/oauth/chooselocation for another API base).")
    var authorizeURL: String?
    @Option(help: "Seconds to wait for the callback.") var timeout = 600

    static let marketplaceURL = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation"

    func validate() throws {
        guard (0...65_535).contains(redirectPort) else { throw ValidationError("--redirect-port must be 0...65535") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let store = try database.open()
        let environment = ProcessInfo.processInfo.environment
        guard let clientId = environment[clientIdEnv], !clientId.isEmpty else { throw CLIError("environment variable \(clientIdEnv) (the client id) is not set") }
        guard let clientSecret = environment[clientSecretEnv], !clientSecret.isEmpty else {
            throw CLIError("environment variable \(clientSecretEnv) (the client secret) is not set")
        }
        let state = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        let page = authorizeURL ?? (apiBase == Source.defaultAPIBase ? Self.marketplaceURL : apiBase.trimmingSuffix("/") + "/oauth/chooselocation")
        let scopes = scopes
        let (code, redirect) = try await OAuthCallback.receive(port: redirectPort, state: state, timeout: .seconds(timeout)) { redirect in
            var url = URLComponents(string: page)!
            url.queryItems = [URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "redirect_uri", value: redirect),
                              URLQueryItem(name: "client_id", value: clientId), URLQueryItem(name: "scope", value: scopes),
                              URLQueryItem(name: "state", value: state)]
            let link = url.string!
            say("open this URL and choose the location (or the agency) to connect:")
            say(link)
            if environment["DISPLAY"].map({ !$0.isEmpty }) == true { Self.openBrowser(link) }
        }
        let client = GHLOAuthClient(baseURL: apiBase, clientId: clientId, clientSecret: clientSecret)
        let grant = try await reportingErrors { try await client.exchange(code: code, redirectURI: redirect) }
        let secret = SourceCredentials.OAuthSecret(
            clientId: clientId, clientSecret: clientSecret, refreshToken: grant.refreshToken, accessToken: grant.accessToken,
            expiresAt: grant.expiresIn.map { Date(timeIntervalSinceNow: $0) }, userType: grant.isCompany ? "Company" : "Location",
            companyId: grant.companyId, locationId: grant.locationId)
        let db = URL(fileURLWithPath: database.db).standardizedFileURL.path
        if grant.isCompany {
            guard let company = grant.companyId else { throw CLIError("GHL's Company token names no companyId") }
            let file = db + ".agency-\(company).json"
            try SourceCredentials.writeSecrets(secret, to: file)
            say("agency \(company): credentials in \(file)")
            let plan = try await reportingErrors { try await AgencyImporter.run(store: store, credentialsFile: file, apiBase: apiBase, dryRun: false) }
            AgencyImportReport(plan: plan, dryRun: false).print()
        } else {
            guard let location = grant.locationId else { throw CLIError("GHL's Location token names no locationId") }
            let file = db + ".location-\(location).json"
            try SourceCredentials.writeSecrets(secret, to: file)
            say("location \(location): credentials in \(file)")
            if let existing = try await store.sources().first(where: { $0.locationId == location }) {
                say("location \(location) is already source \(existing.name); it keeps its credentials")
                return say(existing.id)
            }
            let source = try await reportingErrors {
                try await store.addSource(name: location, locationId: location, apiBase: apiBase, tokenEnv: nil, tokenFile: file,
                                    companyId: grant.companyId)
            }
            say("added source \(source.name) for location \(source.locationId)")
            say(source.id)
        }
    }

    private static func openBrowser(_ url: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xdg-open", url]
        try? process.run()
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
