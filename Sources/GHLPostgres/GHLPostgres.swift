/// GHLPostgres: ghlsync's PostgreSQL database, first slice (issue 17). Schema and
/// versioned migrations (the seed's tables, indexes and seven views, the
/// product's tables), the seed's row-level security, and reads run as a user
/// so that the database itself filters them.
///
/// Data flow: it stands where GHLStore stands (GHL API -> sync -> **store** -> ...),
/// for an agency that outgrows one file. Every command but `snapshot` and `connect`
/// runs on it: `PostgresStore` is a `GHLStore.SyncStore` written to in batches, an
/// `AccountStore` for sign-in, a `WebhookStore` for GHL's deliveries, a
/// `SourceAdminStore` for schedules and agency imports and a `ViewPageReader` for `/rest/v1` under RLS,
/// and its change feed reads what the broadcast trigger records. Like GHLStore it owns its SQL; it imports
/// GHLStore (the vocabulary both databases share: sources, records, leases,
/// filters, `ChangeEvent`, the rows `migrate-to-postgres` copies) and GHLJSON,
/// nothing above them.
