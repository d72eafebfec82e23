import Foundation

/// What a request head says about its body: `Content-Length` values and
/// whether `Transfer-Encoding` is present, read from the raw head bytes.
struct BodyFraming {
    var contentLengths: [String] = []
    var transferEncoding = false

    init(head: [UInt8]) {
        let text = String(decoding: head, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { contentLengths.append(value) }
            if name == "transfer-encoding" { transferEncoding = true }
        }
    }

    var hasBody: Bool {
        transferEncoding || contentLengths.contains { $0 != "0" }
    }

    /// Why the head must be refused before its body, if it must (RFC 9112 §6.3).
    func refusal(maxBody: Int) -> Refusal? {
        if transferEncoding && !contentLengths.isEmpty {
            return Refusal(.badRequest, "Content-Length and Transfer-Encoding together")
        }
        guard let first = contentLengths.first else { return nil }
        guard contentLengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy({ (48...57).contains($0) }) else {
            return Refusal(.badRequest, "invalid or conflicting Content-Length")
        }
        guard first.count <= 18, let length = Int(first), length <= maxBody else {
            return Refusal(.contentTooLarge, "body larger than \(maxBody) bytes")
        }
        return nil
    }
}
