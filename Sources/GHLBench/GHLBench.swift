/// GHLBench: `ghlsync bench`, reproducible scenarios (sync, realtime, views) that start
/// their own sandbox, database and server and report their figures.
///
/// Data flow: it drives the whole line (GHL API -> sync -> store -> change capture ->
/// topic bus -> WebSocket -> dashboard) from outside: the sandbox plays GHL, and bare
/// clients read WebSocket frames off the wire (`WebSocketFrameReader`). It may import every
/// ghlsync module; no product module imports it.
