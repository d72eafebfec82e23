import PostgresNIO

extension PostgresStore {
    /// The source of every row of `relation` that `userId` may read, with the
    /// row-level security of the database alone deciding: the read runs as
    /// `ghlsync_user` with the user's claims set as PostgREST sets them.
    public func sourceIDs(of relation: PostgresRelation, asUser userId: String) async throws -> [String] {
        try await readAsUser(userId) { connection in
            var ids: [String] = []
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(relation.sourceColumn) FROM \(relation.rawValue) ORDER BY 1"), logger: logger)
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    /// Runs `body` in a transaction as `userId`: the claims PostgREST would
    /// set (`request.jwt.claims`, read by `auth_user_id()`) and the non-login
    /// role `ghlsync_user`, in a read-only transaction, both local to the transaction, so a pooled
    /// connection goes back as it came.
    func readAsUser<Result: Sendable>(_ userId: String,
                                      _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withTransaction(logger: logger) { connection in
            try await execute("SET TRANSACTION READ ONLY", on: connection)
            // The database builds the claims' JSON, so no user id can break out of it.
            try await execute("""
                SELECT set_config('request.jwt.claims',
                                  json_build_object('sub', \(userId)::text, 'role', 'authenticated')::text, true)
                """, on: connection)
            try await execute("SET LOCAL ROLE ghlsync_user", on: connection)
            return try await body(connection)
        }
    }
}
