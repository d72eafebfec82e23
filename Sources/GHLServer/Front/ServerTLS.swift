import Foundation
import NIOSSL

/// The TLS configuration of `serve --tls-cert --tls-key`, with an error that
/// names the file and what is wrong with it instead of a NIOSSL code.
public enum ServerTLS {
    public struct FileError: Error, CustomStringConvertible {
        public var description: String
    }

    /// PEM certificate chain and PEM private key; HTTP/1.1 only (WebSocket upgrades need it).
    public static func configuration(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
        let chain = try load(certificateFile, as: "certificate") { try NIOSSLCertificate.fromPEMFile($0) }
        guard !chain.isEmpty else { throw FileError(description: "TLS certificate \(certificateFile): no PEM certificate in it") }
        let key = try load(keyFile, as: "private key") { try NIOSSLPrivateKey(file: $0, format: .pem) }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }

    private static func load<T>(_ path: String, as what: String, _ read: (String) throws -> T) throws -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            let problem = FileManager.default.fileExists(atPath: path) ? "not readable by this user" : "no such file"
            throw FileError(description: "TLS \(what) \(path): \(problem)")
        }
        do { return try read(path) } catch {
            throw FileError(description: "TLS \(what) \(path): not a valid PEM \(what) (\(error))")
        }
    }
}
