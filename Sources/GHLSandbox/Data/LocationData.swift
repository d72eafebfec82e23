/// Fixed facts of one generated location that new records also draw on.
struct LocationContext: Sendable {
    let locationID: String
    let users: [String]
    let customFieldIDs: [String]
    let productIDs: [String]
    let storeID: String
}

/// Everything one location holds: its Private Integration Token, its `/locations/{id}` record and
/// one table per entity.
struct LocationData: Sendable {
    let context: LocationContext
    let token: String
    let location: [UInt8]
    var tables: [SandboxEntity: RecordTable] = [:]

    init(context: LocationContext, token: String, location: [UInt8]) {
        self.context = context
        self.token = token
        self.location = location
        for entity in SandboxEntity.allCases { tables[entity] = RecordTable() }
    }
}
