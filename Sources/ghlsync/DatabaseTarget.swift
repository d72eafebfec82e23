import ArgumentParser
import Foundation
import GHLPostgres

/// What `--db` names: a SQLite file, or a PostgreSQL database by URL; without
/// `--db`, `GHLSYNC_DATABASE_URL` says.
enum DatabaseTarget {
    case file(String)
    case postgres(PostgresURL)

    static let environmentVariable = "GHLSYNC_DATABASE_URL"
    static var fromEnvironment: String? {
        ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    init(_ given: String?) throws {
        guard let text = given ?? Self.fromEnvironment else {
            throw ValidationError("Missing expected argument '--db <db>' (or set \(Self.environmentVariable))")
        }
        if PostgresURL.isPostgres(text) {
            do { self = .postgres(try PostgresURL(text)) } catch { throw CLIError("--db: \(error)") }
        } else {
            self = .file(text)
        }
    }
}
