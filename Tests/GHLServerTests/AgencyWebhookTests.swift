import Foundation
import GHLSandbox
import GHLServer
@testable import GHLStore
import GHLSync
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// GHL's `UNINSTALL` and `INSTALL` webhooks, signed by the sandbox and taken by `serve`'s webhook
/// route, change an imported agency's sources at once.
@Suite struct AgencyWebhookTests {
    @Test func uninstallMakesASourceInactiveAndInstallAddsOneThatSyncs() async throws {
        var configuration = SandboxConfiguration()
        configuration.locations = 3
        configuration.installedLocations = 2
        configuration.counts = RecordCounts(contacts: 20, opportunities: 8, orders: 5, transactions: 5, reviews: 5)
        let sandbox = try GHLSandbox(configuration: configuration)
        let endpoint = try await sandbox.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlserver-agency-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("agency.sqlite").path)
        let credentials = directory.appendingPathComponent("agency.json").path
        try SourceCredentials.writeSecrets(SourceCredentials.OAuthSecret(
            clientId: "sandbox-client", clientSecret: "sandbox-secret", refreshToken: sandbox.companyRefreshToken, accessToken: nil,
            expiresAt: nil, userType: "Company", companyId: sandbox.companyID, locationId: nil), to: credentials)
        let imported = try await AgencyImporter.run(store: store, credentialsFile: credentials, apiBase: endpoint.baseURL, dryRun: false)
        #expect(imported.added.map(\.locationId) == sandbox.installedLocations)
        for source in imported.added { _ = try await store.setSchedule(sourceId: source.id, interval: 900, mode: .full) }

        let keys = try WebhookKeys(ed25519PEM: [sandbox.ed25519PublicKeyPEM], rsaPEM: [sandbox.rsaPublicKeyPEM])
        let server = try await ProductServer(store: store, webhookKeys: keys, environment: [:], logger: Logger(label: "test"))
        let app = try server.application(host: "127.0.0.1", port: 0, metricsToken: nil, logger: Logger(label: "test")) { _ in }
        let (first, third) = (endpoint.locations[0].locationID, endpoint.locations[2].locationID)
        @Sendable func source(_ location: String) async throws -> Source? { try await store.sources().first { $0.locationId == location } }
        try await app.test(.live) { client in
            sandbox.webhookURL = "http://127.0.0.1:\(try #require(client.port))/webhooks/ghl"
            try sandbox.uninstallApp(location: first)
            try sandbox.installApp(location: third)
            for _ in 0..<200 {
                let (removed, added) = (try await source(first)?.isActive == false, try await source(third) != nil)
                if removed && added { break }
                try await Task.sleep(for: .milliseconds(25))
            }
        }
        #expect(try await source(first)?.isActive == false)
        let added = try #require(try await source(third))
        #expect(added.isActive)
        #expect(added.companyId == sandbox.companyID)
        #expect(added.syncIntervalSeconds == 900 && added.syncMode == "full", "the agency's schedule, so serve syncs it")
        #expect(added.tokenFile == URL(fileURLWithPath: credentials).standardizedFileURL.path)

        let run = try await SyncEngine(store: store).runAll(RunRequest(sourceId: added.id))
        #expect(run.failed == 0, "\(run.summary)")
        #expect(try await store.pool.base.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ghl_contacts WHERE source_id = ?", arguments: [added.id]) } == 20)
        await sandbox.stop()
        #expect(sandbox.webhookDeliveries.map(\.status) == [200, 200])
    }
}
