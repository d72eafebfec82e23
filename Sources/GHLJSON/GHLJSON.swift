/// GHLJSON: the one JSON of ghlsync, shared by every module that reads or writes JSON.
///
/// - `JSONValue`: any JSON value; objects (`JSONObject`) keep their members in order, so a
///   record read back is the record as served.
/// - `JSONValue(parsing:)`: the fast strict RFC 8259 parser (GHL pages on the sync's hot path).
/// - `JSONWriter`: one streaming writer; `JSONValue` writes through it as-is (`encoded`) or
///   canonically (`canonicalJSON`: sorted keys, so equal records give equal text). A writer
///   reused for a page's records (`canonicalText`) sorts their family of keys once
///   (`SortedKeyCache`); the parser likewise reads a name repeated at the same place as the
///   string it read there before.
/// - `JSONString`: the one string escaper, used by the writer and by realtime's frames.
///
/// Data flow: every arrow of GHL API -> sync -> store -> change capture -> topic bus ->
/// WebSocket -> dashboard that carries JSON uses these types. It imports nothing but the
/// standard library, so any module may import it.
