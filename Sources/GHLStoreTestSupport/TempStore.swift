import Foundation
import GHLStore

/// A fresh, migrated ghlsync file in a temporary directory of its own: the
/// set-up every test suite starts from. A regular target so that the test
/// targets can share it; nothing but tests depends on it.
public struct TempStore: Sendable {
    public let directory: URL
    public let store: Store
    public var path: String { store.path }

    /// - Parameter label: names the directory, to tell suites' leftovers apart.
    public init(_ label: String, lockPatience: TimeInterval = WriteTurn.patience) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(Self.prefix(label) + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("ghl.sqlite").path, lockPatience: lockPatience)
    }

    /// Deletes the directory and the file in it.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Deletes every directory made under `label`: those of a process that stopped before it
    /// could remove its own (an exit test's). Only for a label no running test still uses.
    public static func removeAll(_ label: String) throws {
        let temporary = FileManager.default.temporaryDirectory
        for name in try FileManager.default.contentsOfDirectory(atPath: temporary.path) where name.hasPrefix(prefix(label)) {
            try FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }

    private static func prefix(_ label: String) -> String { "ghlsync-\(label)-" }

    /// Registers a source whose token would be read from `tokenEnv` (never
    /// set in tests: nothing here reaches GHL unless `apiBase` says where).
    public func addSource(name: String, locationId: String, apiBase: String = Source.defaultAPIBase,
                          tokenEnv: String = "GHL_TEST_TOKEN", currency: String = "USD") async throws -> Source {
        try await store.addSource(name: name, locationId: locationId, apiBase: apiBase, tokenEnv: tokenEnv, tokenFile: nil, currency: currency)
    }
}
