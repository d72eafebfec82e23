import PostgresNIO

/// The PostgreSQL schema's versioned migrations: each a frozen list of literal
/// statements, applied once in its own transaction and recorded in
/// `ghlsync_migrations`. Never edit one that has shipped; add the next.
enum PostgresMigrations {
    static let all: [(name: String, statements: [String])] = [
        ("pg_v1_tables", PostgresSchemaV1.tables),
        ("pg_v1_security", PostgresSchemaV1.security),
        ("pg_v1_views", PostgresSchemaV1.views),
        ("pg_v2_broadcast_changes", PostgresSchemaV2Broadcast.statements),
        ("pg_v2_rls_source_arrays", PostgresSchemaV2Policies.statements),
        ("pg_v3_auth", PostgresSchemaV3Auth.statements),
        ("pg_v4_scoped_ids", PostgresSchemaV4ScopedIds.statements),
        ("pg_v5_change_ids", PostgresSchemaV5ChangeIds.statements),
        ("pg_v5_live_set", PostgresSchemaV5LiveSet.statements),
    ]

    /// One lock number for every ghlsync database, so two `init`s migrate in turn.
    static let advisoryLock: Int64 = 0x6768_6C73_796E_63   // "ghlsync"
}

extension PostgresStore {
    /// Applies every migration not yet recorded, each in its own transaction;
    /// returns the names applied by this call (none when up to date).
    ///
    /// The recorded ones are read first, and a current schema is left alone
    /// (no lock, no DDL), so that a role with only the rights to read and write
    /// the tables opens it; when a migration is missing and the role may not
    /// apply it, the error says to run `init` as the database's owner.
    @discardableResult
    public func migrate() async throws -> [String] {
        let missing = try await pendingMigrations()
        guard !missing.isEmpty else { return [] }
        do {
            return try await client.withConnection { connection in
                try await execute("SELECT pg_advisory_lock(\(PostgresMigrations.advisoryLock))", on: connection)
                do {
                    let applied = try await migrate(on: connection)
                    try await execute("SELECT pg_advisory_unlock(\(PostgresMigrations.advisoryLock))", on: connection)
                    return applied
                } catch {
                    try? await execute("SELECT pg_advisory_unlock(\(PostgresMigrations.advisoryLock))", on: connection)
                    throw error
                }
            }
        } catch where (Self.cause(of: error) as? PSQLError)?.serverInfo?[.sqlState] == "42501" {   // insufficient_privilege
            throw PostgresStoreError("""
                this role may not apply the schema's missing migrations (\(missing.joined(separator: ", "))): \
                run `ghlsync init --db \(url)` as the database's owner
                """)
        }
    }

    /// The migrations this ghlsync has that the database has not recorded, in order.
    public func pendingMigrations() async throws -> [String] {
        let done = Set(try await appliedMigrations())
        return PostgresMigrations.all.map(\.name).filter { !done.contains($0) }
    }

    /// The names of the applied migrations, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await client.withConnection { try await appliedMigrations(on: $0) }
    }

    private func migrate(on connection: PostgresConnection) async throws -> [String] {
        try await execute("""
            CREATE TABLE IF NOT EXISTS ghlsync_migrations (
                name TEXT PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """, on: connection)
        let done = Set(try await appliedMigrations(on: connection))
        var applied: [String] = []
        for migration in PostgresMigrations.all where !done.contains(migration.name) {
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in migration.statements {
                    try await execute(PostgresQuery(unsafeSQL: statement), on: transaction)
                }
                try await execute("INSERT INTO ghlsync_migrations (name) VALUES (\(migration.name))", on: transaction)
            }
            applied.append(migration.name)
        }
        return applied
    }

    private func appliedMigrations(on connection: PostgresConnection) async throws -> [String] {
        let exists = try await connection.query("SELECT to_regclass('ghlsync_migrations') IS NOT NULL", logger: logger)
            .decode(Bool.self).reduce(false) { $0 || $1 }
        guard exists else { return [] }
        var names: [String] = []
        for try await name in try await connection.query(
            "SELECT name FROM ghlsync_migrations ORDER BY applied_at, name", logger: logger).decode(String.self) {
            names.append(name)
        }
        return names
    }
}
