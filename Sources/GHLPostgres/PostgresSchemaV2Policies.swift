/// `pg_v2_rls_source_arrays`, frozen: each `ghl_*` table's policy reads the
/// user's granted sources once per statement into an array (`= ANY (ARRAY(...))`,
/// an InitPlan), which the planner uses as an index condition beside the
/// query's own `source_id = ...`, instead of probing a hashed sub-plan for
/// every row: a viewer's dashboard summary over 100,000 contacts of a source
/// went from 24-28 ms to 6-14 ms (same machine, same load). Under the
/// `pg_v2_broadcast_` prefix given to the helper that measured it.
enum PostgresSchemaV2Policies {
    static let statements: [String] = [
        ("ghl_sources", "id"), ("ghl_contacts", "source_id"), ("ghl_opportunities", "source_id"),
        ("ghl_pipelines", "source_id"), ("ghl_orders", "source_id"), ("ghl_payments", "source_id"),
        ("ghl_reviews", "source_id"), ("ghl_sync_jobs", "source_id"),
    ].map { table, column in
        """
        ALTER POLICY \(table)_granted ON \(table) USING (
            \(column) = ANY (ARRAY(SELECT us.source_id FROM user_sources us WHERE us.user_id = (SELECT auth_user_id())))
        )
        """
    }
}
