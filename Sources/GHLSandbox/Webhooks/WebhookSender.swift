import GHLJSON
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Synchronization
import _CryptoExtras

/// Signs webhook bodies like GHL: `x-wh-signature` is base64 RSA-SHA256 (PKCS#1 v1.5) over the
/// raw body, `x-ghl-signature` base64 Ed25519 over the raw body. The keys are made at start;
/// receivers are configured with the public keys in PEM.
public struct WebhookSigner: Sendable {
    private let rsa: _RSA.Signing.PrivateKey
    private let ed25519: Curve25519.Signing.PrivateKey

    public init() throws {
        rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        ed25519 = Curve25519.Signing.PrivateKey()
    }

    public var rsaPublicKeyPEM: String { rsa.publicKey.pemRepresentation }

    /// Ed25519 keys have no PEM accessor in swift-crypto: wrap the raw key in its fixed
    /// SubjectPublicKeyInfo prefix (RFC 8410).
    public var ed25519PublicKeyPEM: String {
        let der = Data([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]) + ed25519.publicKey.rawRepresentation
        return "-----BEGIN PUBLIC KEY-----\n" + der.base64EncodedString() + "\n-----END PUBLIC KEY-----\n"
    }

    public func rsaSignature(_ body: [UInt8]) throws -> String {
        Data(try rsa.signature(for: body, padding: .insecurePKCS1v1_5).rawRepresentation).base64EncodedString()
    }

    public func ed25519Signature(_ body: [UInt8]) throws -> String {
        try ed25519.signature(for: body).base64EncodedString()
    }
}

/// One webhook POST and how it went.
public struct WebhookDelivery: Sendable {
    public let type: String
    public let body: [UInt8]
    /// The receiver's HTTP status, or nil if it could not be reached.
    public let status: Int?
}

/// POSTs change webhooks to the configured URL, one at a time in change order.
final class WebhookSender: Sendable {
    let signer: WebhookSigner
    private let target: Target
    private let queue: AsyncStream<(String, [UInt8])>.Continuation
    private let worker: Task<Void, Never>
    private let log: DeliveryLog

    private final class DeliveryLog: Sendable {
        let entries = Mutex<[WebhookDelivery]>([])
    }

    private final class Target: Sendable {
        let url: Mutex<String?>
        init(_ url: String?) { self.url = Mutex(url) }
    }

    init(targetURL: String?) throws {
        let signer = try WebhookSigner()
        self.signer = signer
        let target = Target(targetURL)
        self.target = target
        let (stream, continuation) = AsyncStream.makeStream(of: (String, [UInt8]).self)
        queue = continuation
        let log = DeliveryLog()
        self.log = log
        worker = Task {
            for await (type, body) in stream {
                guard let targetURL = target.url.withLock({ $0 }) else { continue }
                var request = HTTPClientRequest(url: targetURL)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "x-wh-signature", value: (try? signer.rsaSignature(body)) ?? "")
                request.headers.add(name: "x-ghl-signature", value: (try? signer.ed25519Signature(body)) ?? "")
                request.body = .bytes(ByteBuffer(bytes: body))
                var status: Int? = nil
                if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)) {
                    status = Int(response.status.code)
                    _ = try? await response.body.collect(upTo: 1 << 20)
                }
                log.entries.withLock { $0.append(WebhookDelivery(type: type, body: body, status: status)) }
            }
        }
    }

    /// Where webhooks go; nil sends none. Settable while running, for a
    /// receiver that learns its address after the sandbox started.
    var targetURL: String? {
        get { target.url.withLock { $0 } }
        set { target.url.withLock { $0 = newValue } }
    }

    /// Queues the events of a change (nothing without a target URL).
    func send(for change: RecordChange) {
        for payload in WebhookEvents.payloads(for: change) { send(payload: payload) }
    }

    /// Queues one event, stamped with its `webhookId` and `timestamp` (nothing without a target URL).
    func send(payload: JSONValue) {
        guard targetURL != nil else { return }
        var payload = payload
        var rng = SystemRandomNumberGenerator()
        var ids = SplitMix64(seed: rng.next())
        payload.set("webhookId", .string(ids.uuid()))
        payload.set("timestamp", .string(SandboxTime.iso8601(SandboxTime.nowMilliseconds())))
        queue.yield((payload["type"]?.stringValue ?? "", payload.encoded))
    }

    var deliveries: [WebhookDelivery] { log.entries.withLock { $0 } }

    /// Sends what is queued, then stops.
    func finish() async {
        queue.finish()
        await worker.value
    }
}
