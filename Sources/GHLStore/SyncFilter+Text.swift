import Foundation

extension SyncFilter {
    /// Throws the first problem: a bad or reversed date (`invalidFilter`), an
    /// empty value or unknown status (`invalidInput`), or a part that needs an
    /// entity the filter does not sync (`invalidFilter`).
    public func validate() throws {
        for (bound, day) in [(FilterProblem.Bound.from, from), (.to, to)] {
            if let day, !Self.isDay(day) { throw StoreError.invalidFilter(.notADay(bound, day)) }
        }
        if let from, let to, from > to { throw StoreError.invalidFilter(.reversedRange(from: from, to: to)) }
        if let entities, entities.isEmpty { throw StoreError.invalidFilter(.noEntities) }
        if let bad = statuses.first(where: { !Self.opportunityStatuses.contains($0) }) {
            throw StoreError.invalidInput("unknown opportunity status \(bad); statuses are \(Self.opportunityStatuses.joined(separator: ", "))")
        }
        for rule in contactRules where rule.kind != .exists {
            guard let value = rule.value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw StoreError.invalidInput(rule.field.map { "custom field \($0.name) needs a non-empty value" } ?? "a contact tag must not be empty")
            }
        }
        if !(pipelines.isEmpty && statuses.isEmpty), !syncs(.opportunities) {
            throw StoreError.invalidFilter(.opportunityPartsWithoutOpportunities)
        }
        if !contactRules.isEmpty, !syncs(.contacts) {
            throw StoreError.invalidFilter(.contactPartsWithoutContacts)
        }
    }

    /// `YYYY-MM-DD`, a real calendar day.
    static func isDay(_ text: String) -> Bool {
        guard text.count == 10, text.utf8.enumerated().allSatisfy({ [4, 7].contains($0.offset) ? $0.element == UInt8(ascii: "-") : (48...57).contains($0.element) }) else {
            return false
        }
        return (try? Date.ISO8601FormatStyle().year().month().day().parse(text)).map { _ in true } ?? false
    }

    /// One line per part, for `ghlsync sources list`.
    public var summary: [String] {
        var lines: [String] = []
        if let entities { lines.append("entities: " + entities.map(\.rawValue).joined(separator: ", ")) }
        if !pipelines.isEmpty { lines.append("pipelines: " + pipelines.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")) }
        if !statuses.isEmpty { lines.append("statuses: " + statuses.joined(separator: ", ")) }
        if from != nil || to != nil { lines.append("created or updated: \(from ?? "…") to \(to ?? "…")") }
        if !contactRules.isEmpty { lines.append("contacts: " + contactRules.map(\.summary).joined(separator: " AND ")) }
        return lines
    }
}

extension SyncFilter.ContactRule {
    /// `tag customer`, `Tier = gold`, `Notes ~ call`, `Score exists`.
    public var summary: String {
        guard let field else { return "tag \(value ?? "")" }
        switch kind {
        case .equals: return "\(field.name) = \(value ?? "")"
        case .contains: return "\(field.name) ~ \(value ?? "")"
        case .exists, .tag: return "\(field.name) exists"
        }
    }
}
