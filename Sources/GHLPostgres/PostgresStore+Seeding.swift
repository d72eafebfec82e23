import GHLStore
import PostgresNIO

/// The plain writes the first slice needs to put a source, a user, a grant and
/// contacts in place (sync's batched upserts come later); they run as the
/// connecting role, which RLS does not restrict.
extension PostgresStore {
    public func addSource(id: String, name: String, locationId: String, currency: String = "USD",
                          apiBase: String = "https://services.leadconnectorhq.com") async throws {
        try await client.query("""
            INSERT INTO ghl_sources (id, name, location_id, api_base, currency)
            VALUES (\(id), \(name), \(locationId), \(apiBase), \(currency))
            """, logger: logger)
    }

    public func addUser(id: String, email: String) async throws {
        try await client.query("INSERT INTO users (id, email) VALUES (\(id), \(email))", logger: logger)
    }

    /// Lets `userId` read `sourceId`'s rows.
    public func grant(userId: String, sourceId: String, role: String = "viewer") async throws {
        try await client.query("""
            INSERT INTO user_sources (user_id, source_id, role) VALUES (\(userId), \(sourceId), \(role))
            """, logger: logger)
    }

    /// A contact as GHL sent it: `raw` is its JSON.
    public func addContact(sourceId: String, ghlContactId: String, name: String, email: String?, raw: String) async throws {
        try await client.query("""
            INSERT INTO ghl_contacts (source_id, ghl_contact_id, contact_name, email, raw)
            VALUES (\(sourceId), \(ghlContactId), \(name), \(email), \(raw)::jsonb)
            """, logger: logger)
    }

    /// Records of `entity` upserted in one transaction with the sync's rule
    /// (an unchanged record writes nothing), outside any sync run, as
    /// `Store.upsert` on the file: what the realtime benchmark and tests commit.
    @discardableResult
    public func upsert(_ entity: Entity, sourceId: String, records: [EntityRecord]) async throws -> Int {
        try await client.withTransaction(logger: logger) { try await upsert(entity, sourceId: sourceId, records: records, on: $0) }
    }
}
