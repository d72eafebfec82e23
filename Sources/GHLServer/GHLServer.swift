/// GHLServer: `ghlsync serve` as a library. The HTTP front (Auth, the PostgREST subset,
/// functions, webhooks, health, metrics), the dashboard, and the wiring of every service.
///
/// Data flow: GHL API -> sync -> store -> change capture -> topic bus -> WebSocket -> **dashboard**.
/// It assembles the line (`ProductServer`, over the SQLite file or PostgreSQL) and is where
/// auth meets realtime (`AuthChannelAuthorizer`) and the REST reads (scoped by the user's
/// grants). It may import GHLStore, GHLPostgres, GHLSync, GHLRealtime, GHLAuth, GHLAPI,
/// Hummingbird and NIO; not the sandbox
/// (the demo's activity is the CLI's).
