import PostgresNIO

/// postgres-nio's errors print no detail (so that no query text or value
/// leaks into logs); a command says what the server said, in one line.
extension PostgresStore {
    /// The server's message for a failed statement, else the error in full.
    public static func message(for error: any Error) -> String {
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
            return message
        }
        return String(reflecting: error)
    }

    /// What a transaction's body, begin or commit threw, out of postgres-nio's wrapper.
    static func cause(of error: any Error) -> any Error {
        (error as? PostgresTransactionError).flatMap { $0.closureError ?? $0.beginError ?? $0.commitError } ?? error
    }
}
