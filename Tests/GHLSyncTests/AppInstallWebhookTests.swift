import GHLJSON
import Foundation
import GHLAPI
import GHLPostgresTestSupport
import GHLStore
import GHLSync
import Testing

/// GHL's `INSTALL` / `UNINSTALL` app events at the webhook intake, beside sources of other kinds, on both engines.
@Suite struct AppInstallWebhookTests {
    let base = WebhookIntakeTests()

    func deliver(_ intake: WebhookIntake, _ type: String, location: String?, company: String?) async throws -> WebhookReceipt {
        var extra: JSONObject = ["appId": "app"]
        if let company { extra["companyId"] = .string(company) }
        var body = base.event(type, location: location ?? "", extra: extra)
        if location == nil, var object = try JSONValue(parsing: body).objectValue {
            object.removeValue(forKey: "locationId")
            body = Array(JSONValue.object(object).canonicalJSON.utf8)
        }
        return try await intake.receive(body: body) { $0 == "x-ghl-signature" ? base.signer.ed25519Header(body) : nil }
    }

    @Test(arguments: Engine.allCases)
    func uninstallTouchesOnlyTheAgencysSourcesAndInstallNeedsAnImportedAgency(_ engine: Engine) async throws {
        let test = try await EngineDatabase(engine)
        do { try await check(test) } catch {
            await test.cleanup()
            throw error
        }
        await test.cleanup()
    }

    private func check(_ test: EngineDatabase) async throws {
        let byHand = try await test.addSource(locationId: "loc1")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agency-\(UUID().uuidString).json").path
        let plan = try await test.store.importAgency(companyId: "co1", apiBase: "http://127.0.0.1:1", tokenFile: file,
                                               locations: [AgencyLocation(locationId: "loc2", name: "Two"), AgencyLocation(locationId: "loc3", name: "Three")],
                                                     dryRun: false)
        let other = try await test.store.importAgency(companyId: "co2", apiBase: "http://127.0.0.1:1", tokenFile: file + "2",
                                                locations: [AgencyLocation(locationId: "loc4", name: "Four")], dryRun: false)
        let intake = WebhookIntake(store: test.store, keys: base.signer.keys)

        let untouched = try await deliver(intake, "UNINSTALL", location: "loc1", company: "co1")
        #expect(untouched.sourceIds == [byHand.id])
        #expect(untouched.outcome == .acknowledged("UNINSTALL changes no table ghlsync keeps"))
        #expect(try await test.store.source(id: byHand.id).isActive, "a source with its own token keeps syncing")

        let agencyWide = try await deliver(intake, "UNINSTALL", location: nil, company: "co1")
        #expect(Set(agencyWide.sourceIds) == Set(plan.added.map(\.id)))
        #expect(try await test.store.sources().filter(\.isActive).map(\.id).sorted() == [byHand.id, other.added[0].id].sorted())

        let back = try await deliver(intake, "INSTALL", location: "loc3", company: "co1")
        #expect(back.sourceIds == [plan.added[1].id])
        #expect(try await test.store.source(id: plan.added[1].id).isActive)
        let installed = try await deliver(intake, "INSTALL", location: "loc5", company: "co1")
        let added = try await test.store.source(id: try #require(installed.sourceIds.first))
        #expect(added.locationId == "loc5" && added.isActive && added.companyId == "co1" && added.tokenFile == file,
                "a new location of the agency gets the agency's credentials")
        await #expect(throws: WebhookError.self) { try await deliver(intake, "INSTALL", location: "loc9", company: "co-unknown") }
        await #expect(throws: WebhookError.self) { try await deliver(intake, "UNINSTALL", location: nil, company: nil) }
    }
}
