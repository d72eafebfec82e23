/// GHLPostgres: ghlsync's PostgreSQL database, first slice (issue 17). Schema and
/// versioned migrations (the seed's tables, indexes and seven views, the
/// product's tables), the seed's row-level security, and reads run as a user
/// so that the database itself filters them.
///
/// Data flow: it stands where GHLStore stands (GHL API -> sync -> **store** -> ...),
/// for an agency that outgrows one file; today only `ghlsync init` and the
/// scoped reads use it. Like GHLStore it owns its SQL, and it imports no other
/// ghlsync module (postgres-nio only), so any module may depend on it.
