import Crypto
import Foundation
import GHLStore

/// The HMAC key that signs access tokens, kept in a 0600 secrets file beside
/// the database (`<db>.keys`), never in the database: a synced file can be
/// handed to an analyst without handing over the power to mint tokens. A
/// PostgreSQL database keeps it in a table only its owner reads, so that every
/// server on it (behind one load balancer) signs and verifies alike.
///
/// Every process working on the same database (`ghlsync serve`, `ghlsync users
/// token`) finds the same key there. The first one creates it atomically
/// (`O_EXCL`); a file that others can read is refused, as ssh refuses keys.
struct SigningKey: Sendable {
    /// Identifies the key in each token's `kid` header.
    let id: String
    let secret: SymmetricKey

    private struct Contents: Codable {
        var kid: String
        var hs256: String
    }

    /// The key file of a database at `databasePath`.
    static func defaultPath(forDatabase databasePath: String) -> String {
        databasePath + ".keys"
    }

    /// The key of `store`: from `keyFile` when given, else from `<database>.keys`
    /// beside a file, else the one the database keeps (a fresh one stored first).
    static func load(keyFile: String?, of store: any AccountStore) async throws -> SigningKey {
        if let path = keyFile ?? store.keyFileBase.map(defaultPath) { return try loadOrCreate(at: path) }
        let kept = try await store.sharedSigningKey(candidate: String(decoding: try fresh(), as: UTF8.self))
        guard let kept, let key = parse(Data(kept.utf8)) else {
            throw AuthError.keyFile(path: "ghlsync_signing_key (in the database)", problem: "not a valid key")
        }
        return key
    }

    /// Loads the key at `path`, creating the file with a fresh key if there is none.
    static func loadOrCreate(at path: String) throws -> SigningKey {
        if !FileManager.default.fileExists(atPath: path) {
            try create(at: path)
        }
        return try load(at: path)
    }

    /// A new key, as its file holds it.
    private static func fresh() throws -> Data {
        let secret = randomBytes(32)
        return try JSONEncoder().encode(Contents(kid: keyId(secret), hs256: Data(secret).base64EncodedString()))
    }

    private static func parse(_ data: Data) -> SigningKey? {
        guard let contents = try? JSONDecoder().decode(Contents.self, from: data),
              let secret = Data(base64Encoded: contents.hs256), secret.count >= 32 else { return nil }
        return SigningKey(id: contents.kid, secret: SymmetricKey(data: secret))
    }

    private static func create(at path: String) throws {
        let data = try fresh()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            // Another process created it first: use theirs.
            if errno == EEXIST { return }
            throw AuthError.keyFile(path: path, problem: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            unlink(path)
            throw AuthError.keyFile(path: path, problem: "cannot write: \(String(cString: strerror(errno)))")
        }
    }

    private static func load(at path: String) throws -> SigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw AuthError.keyFile(path: path, problem: "cannot read: \(String(cString: strerror(errno)))")
        }
        guard access(path, R_OK) == 0 else {
            throw AuthError.keyFile(path: path, problem: "cannot read: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw AuthError.keyFile(path: path, problem: "readable by other users; run `chmod 600 \(path)`")
        }
        guard let data = FileManager.default.contents(atPath: path), let key = parse(data) else {
            throw AuthError.keyFile(path: path, problem: "not a ghlsync key file (expected {\"kid\", \"hs256\"} with a 32-byte key)")
        }
        return key
    }

    private static func keyId(_ secret: [UInt8]) -> String {
        SHA256.hash(data: secret).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
