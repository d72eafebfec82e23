/// The record kinds the sandbox serves, with the field names GHL uses for each one's id and
/// timestamps (contacts say `dateAdded`/`dateUpdated`, everything else `createdAt`/`updatedAt`).
public enum SandboxEntity: String, Sendable, CaseIterable, Codable {
    case contacts, opportunities, pipelines, orders, transactions, reviews

    public var idKey: String {
        switch self {
        case .orders, .transactions, .reviews: "_id"
        case .contacts, .opportunities, .pipelines: "id"
        }
    }

    public var createdKey: String {
        switch self {
        case .contacts, .pipelines: "dateAdded"
        default: "createdAt"
        }
    }

    public var updatedKey: String {
        switch self {
        case .contacts, .pipelines: "dateUpdated"
        default: "updatedAt"
        }
    }
}
