/// ghlsync: the command line, one binary. Each subcommand wires library modules together:
/// `serve` the product server, `demo` the sandbox with its activity and a served database,
/// `sync`, `sources`, `users`, `query`, `export`, `snapshot`, `status`, `sandbox`, `bench`.
///
/// Data flow: it starts the line (GHL API -> sync -> store -> change capture -> topic bus ->
/// WebSocket -> dashboard) and owns only what ties modules together for people: options,
/// output, the demo's sandbox activity. It may import every ghlsync module.
