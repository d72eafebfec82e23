import Foundation

/// A location's access through its agency: a Location token from `POST /oauth/locationToken`,
/// asked for with the Company token of `company` (whose rotated refresh tokens it persists), and
/// asked for again shortly before it expires or when GHL rejects it.
public actor AgencyLocationAuth: GHLCredentialProvider {
    let company: OAuthSession
    let client: GHLOAuthClient
    public let companyId: String
    public let locationId: String
    private var token: (value: String, expiresAt: Date?)?
    private var fetching: Task<String, any Error>?

    public init(company: OAuthSession, client: GHLOAuthClient, companyId: String, locationId: String) {
        self.company = company
        self.client = client
        self.companyId = companyId
        self.locationId = locationId
    }

    public func accessToken() async throws -> String {
        if fetching == nil, let token, token.expiresAt.map({ $0.timeIntervalSinceNow >= 60 }) ?? true { return token.value }
        return try await renew()
    }

    public func tokenAfterUnauthorized(rejectedToken: String) async throws -> String? {
        if fetching == nil, let token, token.value != rejectedToken { return token.value }
        return try await renew()
    }

    /// One location-token request at a time; a 401 from it gets one retry with a refreshed Company token.
    private func renew() async throws -> String {
        if let fetching { return try await fetching.value }
        let task = Task {
            let companyToken = try await self.company.accessToken()
            let minted: LocationToken
            do {
                minted = try await self.client.locationToken(companyToken: companyToken, companyId: self.companyId, locationId: self.locationId)
            } catch let error as GHLAPIError where error.status == 401 {
                guard let retry = try await self.company.tokenAfterUnauthorized(rejectedToken: companyToken) else { throw error }
                minted = try await self.client.locationToken(companyToken: retry, companyId: self.companyId, locationId: self.locationId)
            }
            self.keep(minted)
            return minted.accessToken
        }
        fetching = task
        defer { fetching = nil }
        return try await task.value
    }

    private func keep(_ minted: LocationToken) {
        token = (minted.accessToken, minted.expiresIn.map { Date(timeIntervalSinceNow: $0) })
    }
}
