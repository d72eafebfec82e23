/// What is wrong with a source or a filter handed to the store, named by
/// what it means rather than by how a front end asks for it: the CLI words
/// these with its flags, the HTTP front with its fields.
public enum SourceProblem: Error, Equatable, Sendable {
    case emptyName
    case emptyLocationId
    case apiBaseNotHTTP(String)
    /// Neither or both of a token environment variable and a token file.
    case tokenNotExactlyOne

    public var description: String {
        switch self {
        case .emptyName: "a source needs a non-empty name"
        case .emptyLocationId: "a source needs a non-empty GHL location id"
        case .apiBaseNotHTTP(let base): "a source's API base must be an http(s) URL, got \(base)"
        case .tokenNotExactlyOne: "a source needs exactly one of a token environment variable or a token file"
        }
    }
}

/// See `SourceProblem`.
public enum FilterProblem: Error, Equatable, Sendable {
    public enum Bound: String, Sendable { case from, to }

    case notADay(Bound, String)
    case reversedRange(from: String, to: String)
    case noEntities
    /// Pipelines or statuses, without opportunities among the entities.
    case opportunityPartsWithoutOpportunities
    /// Contact tags or fields, without contacts among the entities.
    case contactPartsWithoutContacts

    public var description: String {
        switch self {
        case .notADay(let bound, let day): "the range's \(bound == .from ? "start" : "end") must be a date like 2024-01-31, got \(day)"
        case .reversedRange(let from, let to): "the range's start \(from) is after its end \(to)"
        case .noEntities: "the filter's entities must name at least one entity"
        case .opportunityPartsWithoutOpportunities: "pipelines and statuses filter opportunities, which the filter's entities leave out"
        case .contactPartsWithoutContacts: "contact tags and fields filter contacts, which the filter's entities leave out"
        }
    }
}
