import ArgumentParser
import Foundation
import GHLAuth
import GHLStore

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users, their access to sources, and access tokens.",
        discussion: "Roles: viewer reads; editor also starts syncs; owner also manages the source and its users.",
        subcommands: [Add.self, Grant.self, Revoke.self, List.self, Token.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; prints the new user id on the last line.",
            discussion: "The password is read from an environment variable, never from the command line (where other users could see it). Without one, the user signs in only with tokens from `ghlsync users token`.")

        @OptionGroup var database: SyncDatabaseOption
        @Option(help: "The user's email, their login.") var email: String
        @Option(name: .customLong("password-env"), help: "Environment variable holding the password (8+ characters).")
        var passwordEnv: String?

        func run() async throws {
            let password = try passwordEnv.map { name -> String in
                guard let value = ProcessInfo.processInfo.environment[name] else {
                    throw ValidationError("environment variable \(name) (from --password-env) is not set")
                }
                guard !value.isEmpty else { throw ValidationError("environment variable \(name) (from --password-env) is empty") }
                return value
            }
            let user = try await database.with { database in
                try await reportingErrors { try await Accounts(store: database.accountStore).addUser(email: email, password: password) }
            }
            print("added user \(user.email)\(user.hasPassword ? " with a password" : " (token sign-in only)")")
            print(user.id)
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a user a role on one or more sources (replacing any role they had there).")

        @OptionGroup var database: SyncDatabaseOption
        @Option(help: "The user's email.") var user: String
        @Option(help: "A source id (see `ghlsync sources list`); repeat for several.") var source: [String]
        @Option(help: "owner, editor or viewer.") var role: Role

        func validate() throws {
            guard !source.isEmpty else { throw ValidationError("give at least one --source") }
        }

        func run() async throws {
            try await database.with { database in
                let accounts = Accounts(store: database.accountStore)
                let userId = try await reportingErrors { try await accounts.user(email: user).id }
                // Every id checked before the first grant: a typo in the list changes nothing.
                for id in source { _ = try await reportingErrors { try await database.syncStore.source(id: id) } }
                for id in source {
                    try await reportingErrors { try await accounts.grant(role, to: userId, on: id) }
                    print("\(user) is now \(role.rawValue) of source \(id)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user's access to a source.",
            discussion: "Takes effect on the user's next request; a running server also closes their realtime channels for the source.")

        @OptionGroup var database: SyncDatabaseOption
        @Option(help: "The user's email.") var user: String
        @Option(help: "The source id.") var source: String

        func run() async throws {
            try await database.with { database in
                let accounts = Accounts(store: database.accountStore)
                try await reportingErrors {
                    do { try await accounts.revoke(userId: try accounts.user(email: user).id, sourceId: source) } catch AuthError.noGrant {
                        throw AuthError.noGrant(user: user, sourceId: source)
                    }
                }
            }
            print("\(user) no longer has access to source \(source)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")
        @OptionGroup var database: SyncDatabaseOption

        func run() async throws {
            let listings = try await database.with { database in
                try await reportingErrors { try await Accounts(store: database.accountStore).listUsers() }
            }
            let rows = listings.map { listing in
                let grants = listing.grants.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.rawValue)" }
                return [listing.user.email, listing.user.id, listing.user.hasPassword ? "password" : "token only",
                        grants.isEmpty ? "-" : grants.joined(separator: " ")]
            }
            print(TextTable(header: ["email", "id", "sign-in", "grants (source:role)"], rows: rows).render())
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a session for a user and print its access token on the last line.",
            discussion: "For scripts and tests: use it as `Authorization: Bearer <token>` or to join realtime channels. The signing key lives in <db>.keys (0600), created on first use; a PostgreSQL database keeps it in its table ghlsync_signing_key.")

        @OptionGroup var database: SyncDatabaseOption
        @Option(help: "The user's email.") var user: String
        @Option(help: "Seconds the token stays valid.") var ttl: Int = 3600

        func validate() throws {
            guard ttl > 0 else { throw ValidationError("--ttl must be a positive number of seconds") }
        }

        func run() async throws {
            let session = try await database.with { database in
                try await reportingErrors {
                    let auth = try await AuthService(store: database.accountStore, accessTokenLifetime: TimeInterval(ttl))
                    return try await auth.issueToken(for: try auth.accounts.user(email: user).id)
                }
            }
            print("access token for \(session.user.email), valid \(ttl)s (until \(Timestamp.string(Date(timeIntervalSince1970: TimeInterval(session.expiresAt)))))")
            print(session.accessToken)
        }
    }
}

extension Role: ExpressibleByArgument {}
