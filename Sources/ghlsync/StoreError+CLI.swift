import GHLStore

/// The store's errors worded for the command line: its flags and commands,
/// which the store does not know.
extension StoreError {
    var cliMessage: String {
        switch self {
        case .missingFile(let path): "\(description) (create one with `ghlsync init --db \(path)`)"
        case .unknownSource: "\(description) (see `ghlsync sources list`)"
        case .invalidSource(let problem):
            switch problem {
            case .emptyName: "a source needs a non-empty --name"
            case .emptyLocationId: "a source needs a non-empty --location-id"
            case .apiBaseNotHTTP(let base): "--api-base must be an http(s) URL, got \(base)"
            case .tokenNotExactlyOne: "give exactly one of --token-env VAR or --token-file PATH"
            }
        case .invalidFilter(let problem):
            switch problem {
            case .notADay(let bound, let day): "--\(bound.rawValue) must be a date like 2024-01-31, got \(day)"
            case .reversedRange(let from, let to): "--from \(from) is after --to \(to)"
            case .noEntities: "--entities must name at least one entity"
            case .opportunityPartsWithoutOpportunities: "--pipeline and --status filter opportunities, which --entities leaves out"
            case .contactPartsWithoutContacts: "--contact-tag and --contact-field filter contacts, which --entities leaves out"
            }
        default: description
        }
    }
}
