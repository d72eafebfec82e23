import Crypto
import _CryptoExtras
import Foundation

/// The public keys webhook signatures are checked against.
///
/// By default GHL's published keys: the RSA key of `x-wh-signature` (from
/// GHL's Webhook Authentication guide) and the Ed25519 key of `x-ghl-signature`
/// (from GHL's Webhook Integration Guide). The sandbox signs with its own
/// keys: pass them (PEM) instead, or in addition.
public struct WebhookKeys: Sendable {
    public var ed25519: [Curve25519.Signing.PublicKey]
    public var rsa: [_RSA.Signing.PublicKey]

    public init(ed25519: [Curve25519.Signing.PublicKey] = [], rsa: [_RSA.Signing.PublicKey] = []) {
        self.ed25519 = ed25519
        self.rsa = rsa
    }

    /// Keys from PEM text (`-----BEGIN PUBLIC KEY-----`, SPKI).
    public init(ed25519PEM: [String] = [], rsaPEM: [String] = []) throws {
        self.init(ed25519: try ed25519PEM.map(Self.ed25519Key), rsa: try rsaPEM.map { pem in
            do { return try _RSA.Signing.PublicKey(pemRepresentation: pem) } catch {
                throw WebhookError.configuration("not an RSA public key in PEM form: \(error)")
            }
        })
    }

    /// GHL's published keys.
    public static var ghl: WebhookKeys {
        // Both constants are public keys GHL publishes; parsing them cannot fail.
        try! WebhookKeys(ed25519PEM: [ghlEd25519PEM], rsaPEM: [ghlRSAPEM])
    }

    /// These keys and `other`'s: accept GHL's and the sandbox's signatures.
    public func adding(_ other: WebhookKeys) -> WebhookKeys {
        WebhookKeys(ed25519: ed25519 + other.ed25519, rsa: rsa + other.rsa)
    }

    /// Checks the body against `x-ghl-signature` (Ed25519) when present, as
    /// GHL's SDK prefers it, else `x-wh-signature` (RSA-SHA256, PKCS#1 v1.5).
    /// Both are base64 signatures over the raw body bytes.
    func verify(body: [UInt8], ghlSignature: String?, whSignature: String?) throws(WebhookError) {
        if let ghlSignature = ghlSignature.flatMap(Self.nonEmpty) {
            guard let signature = Data(base64Encoded: ghlSignature) else { throw .badSignature("x-ghl-signature is not base64") }
            guard ed25519.contains(where: { $0.isValidSignature(signature, for: body) }) else {
                throw .badSignature("x-ghl-signature does not match the body for any configured Ed25519 key")
            }
            return
        }
        if let whSignature = whSignature.flatMap(Self.nonEmpty) {
            guard let bytes = Data(base64Encoded: whSignature) else { throw .badSignature("x-wh-signature is not base64") }
            let signature = _RSA.Signing.RSASignature(rawRepresentation: bytes)
            let digest = SHA256.hash(data: body)
            guard rsa.contains(where: { $0.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5) }) else {
                throw .badSignature("x-wh-signature does not match the body for any configured RSA key")
            }
            return
        }
        throw .badSignature("no x-ghl-signature or x-wh-signature header")
    }

    private static func nonEmpty(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// An Ed25519 SPKI PEM: a fixed 12-byte DER prefix, then the 32-byte key.
    static func ed25519Key(_ pem: String) throws -> Curve25519.Signing.PublicKey {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let prefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
        guard let der = Data(base64Encoded: body.trimmingCharacters(in: .whitespacesAndNewlines)),
              der.count == 44, Array(der.prefix(12)) == prefix,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) else {
            throw WebhookError.configuration("not an Ed25519 public key in PEM (SPKI) form")
        }
        return key
    }

    static let ghlEd25519PEM = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
        -----END PUBLIC KEY-----
        """

    static let ghlRSAPEM = """
        -----BEGIN PUBLIC KEY-----
        MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
        Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
        dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
        csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
        uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
        3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
        J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
        IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
        h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
        HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
        PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
        T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
        -----END PUBLIC KEY-----
        """
}
