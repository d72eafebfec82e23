import Foundation
import GHLAPI
import GHLStore

/// `sources import` and `connect` with a Company token: the locations where the agency's app is
/// installed (`GET /oauth/installedLocations`) become sources that reach GHL through the agency's
/// credentials file; locations the app left become inactive.
public enum AgencyImporter {
    /// Reads the agency's credentials (0600, `"user_type": "Company"`, `company_id`), lists its
    /// installed locations with the Company token (rotations persisted into the file first), and
    /// brings the store's sources in line (`Store.importAgency`).
    public static func run(store: any SourceAdminStore, credentialsFile: String, apiBase: String, dryRun: Bool) async throws -> AgencyImport {
        let path = URL(fileURLWithPath: credentialsFile).standardizedFileURL.path
        let secret = try SourceCredentials.readSecrets(path)
        guard secret.isCompany, let companyId = secret.companyId, !companyId.isEmpty else {
            throw SyncError.token("\(path) holds no agency credentials: it needs \"user_type\": \"Company\" and a company_id")
        }
        let company = AgencySessions.shared.session(file: path, refreshToken: secret.refreshToken) {
            SourceCredentials.session(secret, baseURL: apiBase, tokenFile: path)
        }
        let client = GHLOAuthClient(baseURL: apiBase, clientId: secret.clientId, clientSecret: secret.clientSecret)
        var token = try await company.accessToken()
        let installed: [InstalledLocation]
        do {
            installed = try await client.installedLocations(companyToken: token, companyId: companyId)
        } catch let error as GHLAPIError where error.status == 401 {
            guard let renewed = try await company.tokenAfterUnauthorized(rejectedToken: token) else { throw error }
            token = renewed
            installed = try await client.installedLocations(companyToken: token, companyId: companyId)
        }
        let locations = installed.map { AgencyLocation(locationId: $0.id, name: $0.name) }
        return try await store.importAgency(companyId: companyId, apiBase: apiBase, tokenFile: path, locations: locations, dryRun: dryRun)
    }
}
