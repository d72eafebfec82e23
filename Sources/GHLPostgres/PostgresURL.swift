import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user[:password]@host[:port]/database[?sslmode=...]` URL, as
/// `--db` and `GHLSYNC_DATABASE_URL` give it, turned into a client configuration.
public struct PostgresURL: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let user: String
    let password: String?
    public let database: String
    /// libpq's `sslmode`: absent or `disable` means no TLS.
    public let sslMode: String?

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty,
              let user = components.user, !user.isEmpty else {
            throw PostgresStoreError("not a postgres://user@host:port/database URL")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw PostgresStoreError("the URL names no database (postgres://user@host:port/database)") }
        self.host = host
        self.port = components.port ?? 5432
        self.user = components.percentEncodedUser?.removingPercentEncoding ?? user
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        self.database = database
        self.sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value
    }

    /// The URL without its password, for messages.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (sslMode.map { "?sslmode=\($0)" } ?? "")
    }

    /// libpq's meanings: `require` encrypts without checking the certificate,
    /// `verify-ca`/`verify-full` check it, `prefer`/`allow` use TLS when offered.
    /// Nil: no TLS.
    private func tls() throws -> (configuration: TLSConfiguration, required: Bool)? {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch sslMode {
        case nil, "disable": return nil
        case "allow", "prefer": return (unverified, false)
        case "require": return (unverified, true)
        case "verify-ca", "verify-full": return (.makeClientConfiguration(), true)
        case let other?: throw PostgresStoreError("unknown sslmode \(other) (disable, prefer, require, verify-full)")
        }
    }

    /// For the pool.
    func configuration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = try self.tls().map { $0.required ? .require($0.configuration) : .prefer($0.configuration) }
            ?? .disable
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// For one connection outside the pool.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = try self.tls().map {
            let context = try NIOSSLContext(configuration: $0.configuration)
            return $0.required ? .require(context) : .prefer(context)
        } ?? .disable
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}

/// A PostgreSQL store failure, said in one line.
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
