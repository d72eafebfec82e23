import AsyncHTTPClient
import Foundation
import GHLAPI
import GHLSandbox
import NIOCore
import GHLJSON

/// A `ghlsync sandbox` child process, so that benchmarks measure the sync's
/// memory and CPU apart from the emulator's.
public final class SandboxProcess: @unchecked Sendable {
    public let baseURL: String
    /// Every location the sandbox serves, in its order; `locationId` is the first.
    public let locationIds: [String]
    public var locationId: String { locationIds[0] }
    public let token: String
    private let process: Process

    /// Starts the sandbox and waits until it listens.
    /// - Parameters:
    ///   - size: the records of each location.
    ///   - rateLimit: `R/S` per location, e.g. `100/10`; nil for practically unlimited.
    public init(size: RecordCounts, rateLimit: String?, locations: Int = 1, seed: UInt64 = 7) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        token = "bench-token-\(UUID().uuidString.prefix(8))"
        process.arguments = ["sandbox", "--port", "0", "--seed", "\(seed)", "--token", token, "--locations", "\(locations)",
                             "--contacts", "\(size.contacts)", "--opportunities", "\(size.opportunities)",
                             "--orders", "\(size.orders)", "--transactions", "\(size.transactions)", "--reviews", "\(size.reviews)",
                             "--rate-limit", rateLimit ?? "1000000/1", "--daily-limit", "1000000000"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        var locationIds: [String] = []
        var listening: String?
        var buffer = Data()
        let handle = output.fileHandleForReading
        while listening == nil {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { break }
            buffer.append(chunk)
            locationIds = []
            for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") {
                let words = line.split(separator: " ")
                if words.first == "location", words.count >= 2 { locationIds.append(String(words[1])) }
                if line.hasPrefix("listening on ") { listening = String(line.dropFirst("listening on ".count)) }
            }
        }
        guard let listening, !locationIds.isEmpty else {
            process.terminate()
            throw BenchError("the sandbox did not start (is \(Self.executable) a ghlsync binary?)")
        }
        baseURL = listening
        self.locationIds = locationIds
        // Keep draining its output so it never blocks on a full pipe.
        handle.readabilityHandler = { _ = $0.availableData }
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Requests the sandbox served (and 429s it sent), from its admin API.
    public func counters() async throws -> (requests: Int, rateLimited: Int) {
        try await requestsByEndpoint().values.reduce((0, 0)) { ($0.0 + $1.requests, $0.1 + $1.rateLimited) }
    }

    /// Requests (and 429s) per endpoint, e.g. `POST /contacts/search`.
    public func requestsByEndpoint() async throws -> [String: (requests: Int, rateLimited: Int)] {
        try await requests(by: "endpoint")
    }

    /// Requests (and 429s) per location id.
    public func requestsByLocation() async throws -> [String: (requests: Int, rateLimited: Int)] {
        try await requests(by: "locationId")
    }

    private func requests(by key: String) async throws -> [String: (requests: Int, rateLimited: Int)] {
        let rows = try await admin("GET", "/_sandbox/counters")?.arrayValue ?? []
        var counts: [String: (requests: Int, rateLimited: Int)] = [:]
        for row in rows {
            let name = row[key]?.stringValue ?? "?"
            let previous = counts[name] ?? (0, 0)
            counts[name] = (previous.requests + (row["requests"]?.intValue ?? 0), previous.rateLimited + (row["rateLimited"]?.intValue ?? 0))
        }
        return counts
    }

    /// Every record of an entity, id -> canonical JSON: what a synced row's `raw` must hold.
    public func canonicalRecords(_ entity: String) async throws -> [String: String] {
        let bytes = try await adminBytes("GET", "/_sandbox/records/\(locationId)/\(entity)")
        var records: [String: String] = [:]
        for record in try JSONValue(parsing: bytes).arrayValue ?? [] {
            if let id = (record["id"] ?? record["_id"])?.stringValue { records[id] = record.canonicalJSON }
        }
        return records
    }

    public func resetCounters() async throws {
        _ = try await admin("DELETE", "/_sandbox/counters")
    }

    /// Every record id of an entity (sandbox entity names: `transactions`, not `payments`).
    public func ids(_ entity: String) async throws -> [String] {
        let records = try await admin("GET", "/_sandbox/records/\(locationId)/\(entity)")?.arrayValue ?? []
        return records.compactMap { ($0["id"] ?? $0["_id"])?.stringValue }
    }

    public func patch(_ entity: String, id: String, _ fields: JSONValue) async throws {
        _ = try await admin("PATCH", "/_sandbox/records/\(locationId)/\(entity)/\(id)", body: fields)
    }

    @discardableResult
    private func admin(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> JSONValue? {
        let bytes = try await adminBytes(method, path, body: body)
        guard !bytes.isEmpty else { return nil }
        return try JSONValue(parsing: bytes)
    }

    private func adminBytes(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.encoded))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 30)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw BenchError("sandbox \(method) \(path): \(response.status.code) \(String(buffer: bytes))")
        }
        return Array(bytes.readableBytesView)
    }

    /// This binary: benchmarks run inside `ghlsync bench`.
    static var executable: String {
        ProcessInfo.processInfo.environment["GHLSYNC_BIN"]
            ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension RecordCounts {
    /// The records a full sync of one location fetches, pipelines included.
    func records(pipelines: Int) -> Int { contacts + opportunities + orders + transactions + reviews + pipelines }
}
