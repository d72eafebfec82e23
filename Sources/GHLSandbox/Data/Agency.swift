import Synchronization

/// The agency (GHL's "company") that owns every generated location, and the locations where its
/// OAuth app is installed: what `/oauth/installedLocations` lists and `/oauth/locationToken` allows.
final class Agency: Sendable {
    /// The `companyId` every generated location record already carries.
    static let companyID = "sandbox-company"

    let companyID = Agency.companyID
    /// Locations in generation order.
    let locations: [String]
    /// locationId -> when the app was installed there (epoch ms).
    private let installed: Mutex<[String: Int64]>

    init(locations: [String], installedCount: Int?) {
        self.locations = locations
        let now = SandboxTime.nowMilliseconds()
        installed = Mutex(Dictionary(uniqueKeysWithValues: locations.prefix(installedCount ?? locations.count).map { ($0, now) }))
    }

    func owns(_ location: String) -> Bool { locations.contains(location) }

    func installedAt(_ location: String) -> Int64? { installed.withLock { $0[location] } }

    /// Marks the app installed; false when it already was.
    func install(_ location: String) -> Bool {
        installed.withLock { map in
            guard map[location] == nil else { return false }
            map[location] = SandboxTime.nowMilliseconds()
            return true
        }
    }

    /// Marks the app uninstalled; false when it was not installed.
    func uninstall(_ location: String) -> Bool {
        installed.withLock { $0.removeValue(forKey: location) != nil }
    }

    /// GHL's client ids are `<appId>-<suffix>`; `/oauth/installedLocations` takes the app id.
    static func appID(clientID: String) -> String {
        clientID.split(separator: "-", maxSplits: 1).first.map(String.init) ?? clientID
    }
}
