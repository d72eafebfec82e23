/// GHLPostgres: ghlsync's PostgreSQL database, first slice (issue 17). Schema and
/// versioned migrations (the seed's tables, indexes and seven views, the
/// product's tables), the seed's row-level security, and reads run as a user
/// so that the database itself filters them.
///
/// Data flow: it stands where GHLStore stands (GHL API -> sync -> **store** -> ...),
/// for an agency that outgrows one file: `ghlsync init`, the scoped reads and
/// the sync (`PostgresStore` is a `GHLStore.SyncStore`, written to in batches)
/// use it. Like GHLStore it owns its SQL; it imports GHLStore for the
/// vocabulary the two databases share (sources, records, leases, filters) and
/// GHLJSON, nothing above them.
