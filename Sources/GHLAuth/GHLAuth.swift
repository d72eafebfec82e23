/// GHLAuth: users, passwords, sessions, signed access tokens, and which sources a user
/// may read (grants and roles).
///
/// Data flow: beside the main line (GHL API -> sync -> store -> change capture -> topic bus ->
/// WebSocket -> dashboard), it says who may see what at its last two steps: the server asks
/// it for each request's user and scope, and realtime reaches it only through the server's
/// `AuthChannelAuthorizer`. It may import GHLStore, JWTKit and Crypto.
