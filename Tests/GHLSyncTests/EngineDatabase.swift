import Foundation
import GHLPostgres
import GHLPostgresTestSupport
import GHLStore
import GRDB
import Testing

/// A fresh database of either engine (a SQLite file, or a new database on the
/// test process's PostgreSQL cluster), with reads by SQL both engines read alike.
final class EngineDatabase: Sendable {
    enum Kind: Sendable {
        case sqlite(TestStore)
        case postgres(PostgresStore, cluster: PostgresCluster, name: String)
    }

    let kind: Kind

    init(_ engine: Engine) async throws {
        switch engine {
        case .sqlite:
            kind = .sqlite(try TestStore())
        case .postgres:
            let cluster = try PostgresCluster.shared()
            let url = try cluster.createDatabase("sync")
            let store = try PostgresStore(url: PostgresURL(url))
            try await store.migrate()
            kind = .postgres(store, cluster: cluster, name: String(url.split(separator: "/").last!))
        }
    }

    /// The database as each of the store protocols the sync's code writes through.
    var store: any SyncStore & WebhookStore & SourceAdminStore {
        switch kind {
        case .sqlite(let test): test.store
        case .postgres(let store, _, _): store
        }
    }

    /// A source at an address where nothing listens unless the test says otherwise.
    func addSource(locationId: String, apiBase: String = "http://127.0.0.1:1", tokenEnv: String = "GHL_TEST_TOKEN") async throws -> Source {
        switch kind {
        case .sqlite(let test):
            return try await test.addSource(locationId: locationId, apiBase: apiBase, tokenEnv: tokenEnv)
        case .postgres(let store, _, _):
            let source = try Source.new(name: "Test \(locationId)", locationId: locationId, apiBase: apiBase, tokenEnv: tokenEnv, tokenFile: nil)
            try await store.addSource(source)
            return source
        }
    }

    /// A count by SQL both engines read alike (literals only, no parameters).
    func int(_ sql: String) throws -> Int {
        let text = try self.text(sql) ?? ""
        return try #require(Int(text), "\(sql) gave \(text)")
    }

    /// The first column of the first row as text (nil for none or NULL; on PostgreSQL, also for '').
    func text(_ sql: String) throws -> String? {
        switch kind {
        case .sqlite(let test):
            guard let value = try test.row(sql)?[0] as DatabaseValue? else { return nil }
            return switch value.storage {
            case .null, .blob: nil
            case .string(let text): text
            case .int64(let number): String(number)
            case .double(let number): String(number)
            }
        case .postgres(_, let cluster, let name):
            let output = try cluster.psql(database: name, script: sql)
            let line = output.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return line.isEmpty ? nil : line
        }
    }

    func cleanup() async {
        switch kind {
        case .sqlite(let test): test.cleanup()
        case .postgres(let store, _, _): await store.close()
        }
    }
}
