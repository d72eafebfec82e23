/// Why a `/rest/v1` read was refused, in PostgREST's vocabulary: its error
/// `code` (`PGRST100`, `42703`, ...) with the message, details and hint it
/// would send. Free of HTTP: the server maps `kind` to a status in one place.
public struct ViewQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL does not parse (PostgREST `PGRST100`).
        case syntax
        /// A column the view does not have (Postgres `42703`).
        case unknownColumn
        /// A relation that is not one of the reporting views (`PGRST205`).
        case unknownView
        /// An offset past the last row (`PGRST103`).
        case range
        /// A single object was asked for and the rows are not exactly one (`PGRST116`).
        case notSingular
    }

    public var kind: Kind
    public var message: String
    public var details: String?
    public var hint: String?

    public init(_ kind: Kind, _ message: String, details: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.details = details
        self.hint = hint
    }

    /// PostgREST's code for this kind of failure.
    public var code: String {
        switch kind {
        case .syntax: "PGRST100"
        case .unknownColumn: "42703"
        case .unknownView: "PGRST205"
        case .range: "PGRST103"
        case .notSingular: "PGRST116"
        }
    }

    public var description: String { message + (details.map { " (\($0))" } ?? "") }

    static func syntax(_ what: String, _ details: String) -> ViewQueryError {
        ViewQueryError(.syntax, "failed to parse \(what)", details: details)
    }
}
