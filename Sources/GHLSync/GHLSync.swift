/// GHLSync: the orchestrator. Sync runs and jobs, entity pollers, schedules, per-source
/// filters, GHL record -> row mapping, and signed webhook intake.
///
/// Data flow: GHL API -> **sync** -> store -> change capture -> topic bus -> WebSocket -> dashboard.
/// It reads pages through GHLAPI, maps each record to its entity's row and writes batches
/// through GHLStore; webhooks enter here too. It may import GHLJSON, GHLAPI, GHLStore,
/// Crypto and Logging; never the server, realtime, auth or the sandbox.
