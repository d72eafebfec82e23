/// GHLRealtime: the topic bus and the Supabase-Realtime-compatible WebSocket channels
/// (Phoenix protocol, both serializers), presence and replay.
///
/// Data flow: GHL API -> sync -> store -> change capture -> **topic bus -> WebSocket** -> dashboard.
/// Change events from GHLStore are encoded once per topic and written as the same bytes to
/// every subscriber. Who may join is asked through the `ChannelAuthorizer` protocol, which
/// the server implements over GHLAuth. It may import GHLJSON, GHLStore, Hummingbird(WebSocket)
/// and NIO; not GHLAuth, GHLSync or the server.
