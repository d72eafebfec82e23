import Crypto
import _CryptoExtras
import Foundation

/// Password hashes with scrypt, stored as PHC strings:
/// `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (base64, no padding).
///
/// The parameters travel with each hash, so the cost can be raised later and
/// old hashes still verify. The default (N = 2^15, r = 8, p = 3, 32 MiB) is one
/// of OWASP's equivalent recommended scrypt settings, chosen for a small
/// memory footprint per sign-in on a shared 2-core server.
public struct PasswordHasher: Sendable, Equatable {
    /// log2 of scrypt's N (CPU and memory cost).
    public var logRounds: Int
    public var blockSize: Int
    public var parallelism: Int

    public static let standard = PasswordHasher(logRounds: 15, blockSize: 8, parallelism: 3)

    public init(logRounds: Int, blockSize: Int, parallelism: Int) {
        self.logRounds = logRounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    private static let saltBytes = 16
    private static let hashBytes = 32

    public func hash(_ password: String) throws -> String {
        let salt = randomBytes(Self.saltBytes)
        let derived = try derive(password, salt: salt)
        return "$scrypt$ln=\(logRounds),r=\(blockSize),p=\(parallelism)$\(base64(salt))$\(base64(derived))"
    }

    /// Whether `password` matches `encoded`, compared in constant time.
    /// A malformed hash, or one with absurd parameters, never matches.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt",
              let hasher = parameters(parts[2]),
              let salt = unbase64(parts[3]), let expected = unbase64(parts[4]), expected.count >= 16,
              let derived = try? hasher.derive(password, salt: salt, length: expected.count)
        else { return false }
        return constantTimeEquals(derived, expected)
    }

    private func derive(_ password: String, salt: [UInt8], length: Int = hashBytes) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: length,
                                           rounds: 1 << logRounds, blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }

    /// `ln=15,r=8,p=3`, within bounds that keep a tampered hash from costing gigabytes.
    private static func parameters(_ text: Substring) -> PasswordHasher? {
        var values: [Substring: Int] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let value = Int(kv[1]) else { return nil }
            values[kv[0]] = value
        }
        guard let ln = values["ln"], let r = values["r"], let p = values["p"], values.count == 3,
              (1...20).contains(ln), (1...32).contains(r), (1...16).contains(p) else { return nil }
        return PasswordHasher(logRounds: ln, blockSize: r, parallelism: p)
    }
}

/// Equal length and equal bytes, in time that depends only on the length.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

func randomBytes(_ count: Int) -> [UInt8] {
    SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
}

private func base64(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
}

private func unbase64(_ text: Substring) -> [UInt8]? {
    let padded = String(text) + String(repeating: "=", count: (4 - text.count % 4) % 4)
    return Data(base64Encoded: padded).map { Array($0) }
}
