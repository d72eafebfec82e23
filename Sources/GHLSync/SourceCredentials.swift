import Foundation
import GHLAPI
import GHLStore

/// A source's GHL credentials, read at sync time from outside the database.
///
/// `token_env` names an environment variable holding a Private Integration
/// Token. `token_file` is a secrets file that only its owner may read (0600):
/// either the bare token, or for an OAuth installation a JSON object
/// `{"client_id", "client_secret", "refresh_token", "access_token"?, "expires_at"?, "user_type"?,
/// "company_id"?, "location_id"?}`. GHL rotates refresh tokens, so an OAuth file is rewritten
/// (atomically, 0600) with each new pair before the new access token is used. With
/// `"user_type": "Company"` the file is an agency's: every source of the agency names it, and each
/// gets its location's token from `POST /oauth/locationToken` with the one Company session.
public enum SourceCredentials: Sendable {
    case privateToken(String)
    case oauth(OAuthSecret)

    public struct OAuthSecret: Codable, Sendable, Equatable {
        public var clientId: String
        public var clientSecret: String
        public var refreshToken: String
        public var accessToken: String?
        public var expiresAt: Date?
        public var userType: String?
        /// The agency (Company tokens; Location tokens name theirs too).
        public var companyId: String?
        /// The location of a Location token.
        public var locationId: String?

        enum CodingKeys: String, CodingKey {
            case clientId = "client_id", clientSecret = "client_secret", refreshToken = "refresh_token"
            case accessToken = "access_token", expiresAt = "expires_at", userType = "user_type"
            case companyId = "company_id", locationId = "location_id"
        }

        public init(clientId: String, clientSecret: String, refreshToken: String, accessToken: String?, expiresAt: Date?,
                    userType: String?, companyId: String?, locationId: String?) {
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.refreshToken = refreshToken
            self.accessToken = accessToken
            self.expiresAt = expiresAt
            self.userType = userType
            self.companyId = companyId
            self.locationId = locationId
        }

        public var isCompany: Bool { userType == "Company" }
    }

    /// Reads the credentials of `source`, refusing a secrets file others can read.
    public static func load(_ source: Source, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SourceCredentials {
        if let name = source.tokenEnv {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw SyncError.token("source \(source.name): environment variable \(name) is not set (it holds the GHL token)")
            }
            return .privateToken(value)
        }
        guard let path = source.tokenFile else {
            throw SyncError.token("source \(source.name) has neither a token environment variable nor a token file")
        }
        let text = try readSecretsFile(path)
        guard text.hasPrefix("{") else { return .privateToken(text) }
        do {
            return .oauth(try decoder.decode(OAuthSecret.self, from: Data(text.utf8)))
        } catch {
            throw SyncError.token("token file \(path) is JSON but not OAuth credentials (client_id, client_secret, refresh_token): \(error)")
        }
    }

    /// The authentication a sync of `source` uses.
    public static func auth(for source: Source, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any GHLCredentialProvider {
        try load(source, environment: environment).auth(baseURL: source.apiBase, tokenFile: source.tokenFile, locationId: source.locationId)
    }

    /// The client-side authentication for these credentials; OAuth persists
    /// rotated tokens back into `tokenFile`. Company credentials reach
    /// `locationId` through a location token, sharing one Company session per file.
    public func auth(baseURL: String, tokenFile: String?, locationId: String) throws -> any GHLCredentialProvider {
        switch self {
        case .privateToken(let token):
            return PrivateIntegrationToken(token)
        case .oauth(let secret) where secret.isCompany:
            guard let tokenFile, let companyId = secret.companyId else {
                throw SyncError.token("agency credentials need a token file and a company_id")
            }
            let company = AgencySessions.shared.session(file: tokenFile, refreshToken: secret.refreshToken) {
                Self.session(secret, baseURL: baseURL, tokenFile: tokenFile)
            }
            let client = GHLOAuthClient(baseURL: baseURL, clientId: secret.clientId, clientSecret: secret.clientSecret)
            return AgencyLocationAuth(company: company, client: client, companyId: companyId, locationId: locationId)
        case .oauth(let secret):
            return Self.session(secret, baseURL: baseURL, tokenFile: tokenFile)
        }
    }

    /// An OAuth session whose rotated pairs are written back into `tokenFile`
    /// before use, refreshing under the file's lock (`SecretsFileLock`).
    static func session(_ secret: OAuthSecret, baseURL: String, tokenFile: String?) -> OAuthSession {
        let tokens = OAuthTokens(accessToken: secret.accessToken, refreshToken: secret.refreshToken, expiresAt: secret.expiresAt)
        return OAuthSession(baseURL: baseURL, clientId: secret.clientId, clientSecret: secret.clientSecret, tokens: tokens,
                            userType: secret.userType ?? "Location",
                            coordinator: tokenFile.map { SecretsFileLock(secretsFile: $0) }) { fresh in
            guard let tokenFile else { throw SyncError.token("OAuth credentials need a token file to keep rotated refresh tokens") }
            var updated = secret
            updated.refreshToken = fresh.refreshToken
            updated.accessToken = fresh.accessToken
            updated.expiresAt = fresh.expiresAt
            try Self.writeSecrets(updated, to: tokenFile)
            AgencySessions.shared.rotated(file: tokenFile, to: fresh.refreshToken)
        }
    }

    /// Writes OAuth credentials as a 0600 secrets file (see `writeSecretsFile`).
    public static func writeSecrets(_ secret: OAuthSecret, to path: String) throws {
        try writeSecretsFile(path, contents: try encoder.encode(secret))
    }

    /// Reads an OAuth secrets file (0600), refusing one that is not.
    public static func readSecrets(_ path: String) throws -> OAuthSecret {
        let text = try readSecretsFile(path)
        do { return try decoder.decode(OAuthSecret.self, from: Data(text.utf8)) } catch {
            throw SyncError.token("\(path) is not OAuth credentials (client_id, client_secret, refresh_token): \(error)")
        }
    }

    static func readSecretsFile(_ path: String) throws -> String {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw SyncError.token("cannot read token file \(path): it does not exist or is not accessible")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw SyncError.token("token file \(path) is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            throw SyncError.token("token file \(path) is empty or not UTF-8")
        }
        return text
    }

    /// Writes beside the file, 0600 from the start, flushed, then renamed over
    /// it: a crash leaves the old or the new secrets, never a torn file.
    static func writeSecretsFile(_ path: String, contents: Data) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SyncError.token("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == contents.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SyncError.token("cannot replace token file \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()
}
