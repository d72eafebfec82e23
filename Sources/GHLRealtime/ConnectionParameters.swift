/// What a client says in the WebSocket URL: `?vsn=` picks the serializer, and
/// `?apikey=` (both Supabase clients send it) or `?token=` carries a token used
/// for joins whose payload has no `access_token`.
public struct ConnectionParameters: Sendable, Equatable {
    public var version: PhoenixVersion
    public var token: String?

    public init(version: PhoenixVersion = .v1, token: String? = nil) {
        self.version = version
        self.token = token
    }

    public init(query: (String) -> String?) {
        self.init(version: PhoenixVersion(query: query("vsn")),
                  token: [query("apikey"), query("token")].compactMap { $0 }.first { !$0.isEmpty })
    }
}
