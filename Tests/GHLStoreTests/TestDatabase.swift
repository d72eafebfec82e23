import Foundation
import GHLStoreTestSupport
import GRDB
@testable import GHLStore

/// A `TempStore` removed when the test lets go of it.
final class TestDatabase {
    private let temp: TempStore
    var store: Store { temp.store }
    var path: String { temp.path }
    var directory: URL { temp.directory }

    init() throws {
        temp = try TempStore("store")
    }

    deinit {
        temp.remove()
    }

    func addSource(_ name: String, currency: String = "USD") async throws -> String {
        try await temp.addSource(name: name, locationId: "loc-\(name)", tokenEnv: "TOKEN_\(name)", currency: currency).id
    }
}

/// An `EntityRecord` whose raw JSON is built from its typed values, so that
/// changing a value changes the record.
func record(_ id: String, created: String? = nil, updated: String? = nil, _ values: [String: DatabaseValueConvertible?]) -> EntityRecord {
    let mapped = values.mapValues { $0?.databaseValue ?? .null }
    var object: [String: Any] = ["id": id]
    for (key, value) in mapped {
        switch value.storage {
        case .null: object[key] = NSNull()
        case .int64(let v): object[key] = v
        case .double(let v): object[key] = v
        case .string(let v): object[key] = v
        case .blob: break
        }
    }
    let raw = String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    return EntityRecord(ghlId: id, values: mapped.mapValues(StoreValue.init), raw: raw, ghlCreatedAt: created, ghlUpdatedAt: updated)
}

/// Collects the change events a store publishes.
final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [ChangeEvent] = []
    private let store: Store

    init(_ store: Store) async throws {
        self.store = store
        try await store.onCommit { [self] events in lock.withLock { recorded += events } }
    }

    /// Every event committed so far (read from the log first, as a server's tail would).
    var events: [ChangeEvent] {
        get async {
            try? await store.pollChanges()
            return lock.withLock { recorded }
        }
    }

    func clear() { lock.withLock { recorded = [] } }
}
