import Foundation
import GHLSandbox
import Logging
import ServiceLifecycle
import GHLJSON

/// The demo's gentle stream of changes in the sandbox, so the dashboard moves:
/// every few seconds one edit a real location would see (a contact added or
/// edited, a deal moved on or won, a review or a payment). Contact and
/// opportunity changes reach ghlsync by signed webhook; reviews and payments,
/// which GHL sends no webhooks for, by the sources' short sync schedule.
struct DemoActivity: Service {
    let sandbox: GHLSandbox
    let locations: [String]
    let interval: Duration
    let logger: Logger

    init(sandbox: GHLSandbox, locations: [String], interval: Duration = .seconds(3),
                logger: Logger = Logger(label: "ghlsync.demo")) {
        self.sandbox = sandbox
        self.locations = locations
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var generator = SystemRandomNumberGenerator()
            var step = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let location = locations.randomElement(using: &generator) else { break }
                do {
                    try change(step: step, location: location, using: &generator)
                } catch {
                    logger.warning("demo change failed", metadata: ["error": "\(error)"])
                }
                step += 1
            }
        }
    }

    private static let firstNames = ["Amara", "Bjørn", "Chloé", "Diego", "Eun-ji", "Farah", "Gustavo", "Hiro", "Ines", "Jonas", "Kavya", "Lars"]
    private static let lastNames = ["Okafor", "Lindqvist", "Dubois", "Ramírez", "Park", "Haddad", "Silva", "Tanaka", "Moreau", "Weber", "Iyer", "Nilsen"]

    private func change(step: Int, location: String, using generator: inout SystemRandomNumberGenerator) throws {
        switch step % 5 {
        case 0:
            let first = Self.firstNames.randomElement(using: &generator)!
            let last = Self.lastNames.randomElement(using: &generator)!
            try sandbox.create(.contacts, location: location, fields: json(
                #"{"firstName":"\#(first)","lastName":"\#(last)","email":"\#(first.lowercased()).\#(last.lowercased())@example.com","source":"demo"}"#))
        case 1:
            guard let contact = try sandbox.records(.contacts, location: location).randomElement(using: &generator),
                  let id = contact["id"]?.stringValue else { return }
            try sandbox.update(.contacts, location: location, id: id, patch: json(
                #"{"phone":"+1 555 \#(Int.random(in: 1000...9999, using: &generator))"}"#))
        case 2:
            try advanceOpportunity(location: location, using: &generator)
        case 3:
            let rating = [3, 4, 5, 5, 5].randomElement(using: &generator)!
            try sandbox.create(.reviews, location: location, fields: json(
                #"{"rating":\#(rating),"headline":"Great service","detail":"Left during the demo","status":"approved"}"#))
        default:
            try advanceOpportunity(location: location, using: &generator)
        }
    }

    /// Moves an open deal one stage on, or marks it won in the last stage.
    private func advanceOpportunity(location: String, using generator: inout SystemRandomNumberGenerator) throws {
        let open = try sandbox.records(.opportunities, location: location).filter { $0["status"]?.stringValue == "open" }
        guard let deal = open.randomElement(using: &generator), let id = deal["id"]?.stringValue,
              let pipelineId = deal["pipelineId"]?.stringValue,
              let pipeline = try sandbox.records(.pipelines, location: location).first(where: { $0["id"]?.stringValue == pipelineId }),
              let stages = pipeline["stages"]?.arrayValue?.compactMap({ $0["id"]?.stringValue }),
              let position = stages.firstIndex(of: deal["pipelineStageId"]?.stringValue ?? "") else { return }
        if position + 1 < stages.count {
            try sandbox.update(.opportunities, location: location, id: id, patch: json(#"{"pipelineStageId":"\#(stages[position + 1])"}"#))
        } else {
            try sandbox.update(.opportunities, location: location, id: id, patch: json(#"{"status":"won"}"#))
        }
    }

    private func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }
}
