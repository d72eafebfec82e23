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
    func configuration() throws -> PostgresClient.Configuration {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case nil, "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(unverified)
        case "require": tls = .require(unverified)
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other?: throw PostgresStoreError("unknown sslmode \(other) (disable, prefer, require, verify-full)")
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}

/// A PostgreSQL store failure, said in one line.
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
