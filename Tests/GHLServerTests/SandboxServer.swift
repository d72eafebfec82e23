import Foundation
import GHLSandbox
import GHLServer
import GHLStore
import GHLStoreTestSupport
import GHLSync
import Logging

/// `ProductServer` as `ghlsync serve` runs it, over a fresh file whose one
/// source is the first location of an in-process GHL sandbox, and that trusts
/// the sandbox's webhook signatures.
struct SandboxServer {
    let sandbox: GHLSandbox
    let location: String
    let directory: URL
    let store: Store
    let source: Source
    let server: ProductServer

    init(seed: UInt64, counts: RecordCounts) async throws {
        var settings = SandboxConfiguration()
        settings.seed = seed
        settings.counts = counts
        sandbox = try GHLSandbox(configuration: settings)
        let endpoint = try await sandbox.start()
        let first = endpoint.locations[0]
        location = first.locationID
        let temp = try TempStore("server-sandbox")
        (directory, store) = (temp.directory, temp.store)
        source = try await temp.addSource(name: "Sandbox", locationId: location, apiBase: endpoint.baseURL, tokenEnv: "SANDBOX_TOKEN")
        let keys = try WebhookKeys(ed25519PEM: [sandbox.ed25519PublicKeyPEM], rsaPEM: [sandbox.rsaPublicKeyPEM])
        server = try await ProductServer(store: store, webhookKeys: keys, environment: ["SANDBOX_TOKEN": first.token],
                                         logger: Logger(label: "test"))
    }

    /// Stops the sandbox and removes the file.
    func stop() async {
        await sandbox.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
