// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ghlsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ghlsync", targets: ["ghlsync"]),
        .library(name: "GHLStore", targets: ["GHLStore"]),
        .library(name: "GHLAPI", targets: ["GHLAPI"]),
        .library(name: "GHLSandbox", targets: ["GHLSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The vocabulary client, sync and store share (the entity enum); no dependencies, nothing HTTP or SQL.
        .target(name: "GHLModel"),
        // The one JSON: ordered values, the fast strict parser, one writer (as-is and canonical), one escaper.
        .target(name: "GHLJSON"),
        // GHL API v2 client: wire models, endpoints, paginators, rate budget, transport.
        .target(name: "GHLAPI", dependencies: [
            "GHLModel", "GHLJSON",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Emulator of the GHL API v2 endpoints ghlsync uses.
        .target(name: "GHLSandbox", dependencies: [
            "GHLJSON",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // sqlite3_db_config for Swift (variadic in C): the store's writer switches its own triggers off while it logs a page itself.
        .systemLibrary(name: "CSQLiteConfig", path: "Sources/CSQLiteConfig"),
        // The SQLite file: schema, migrations, upserts, views, scoped reads, change capture.
        .target(name: "GHLStore", dependencies: [
            "GHLModel", "GHLJSON", "CSQLiteConfig",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The PostgreSQL edition's store: schema migrations, RLS-scoped reads, the sync's writes (a GHLStore.SyncStore).
        .target(name: "GHLPostgres", dependencies: [
            "GHLJSON", "GHLStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            // NIOPosix for the change history's event loop of its own (`PostgresChangeHistory`).
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Orchestrator, entity pollers, sync jobs, schedules, webhook intake.
        .target(name: "GHLSync", dependencies: [
            "GHLModel", "GHLJSON", "GHLAPI", "GHLStore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Users, passwords, signed access tokens, and the access scope of a user.
        .target(name: "GHLAuth", dependencies: [
            "GHLStore",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // Topic bus and Supabase-Realtime-compatible WebSocket channels.
        .target(name: "GHLRealtime", dependencies: [
            "GHLJSON", "GHLStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        // HTTP routes, the dashboard, metrics; where auth and realtime meet (the channel authorizer).
        .target(name: "GHLServer", dependencies: [
            "GHLStore", "GHLSync", "GHLRealtime", "GHLAuth", "GHLAPI", "GHLPostgres",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ], exclude: ["Dashboard"], plugins: ["DashboardAssetsPlugin"]),
        // Build time: turns Sources/GHLServer/Dashboard into Swift source (bytes, gzip, ETag), so the binary needs no resource folder.
        .executableTarget(name: "DashboardAssetGenerator", dependencies: [
            .product(name: "CompressNIO", package: "compress-nio"),
        ]),
        .plugin(name: "DashboardAssetsPlugin", capability: .buildTool(), dependencies: ["DashboardAssetGenerator"]),
        // Build time: the git commit `ghlsync --version` names.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        // `ghlsync bench`: reproducible scenarios that start their own sandbox, database and server.
        .target(name: "GHLBench", dependencies: [
            "GHLJSON", "GHLStore", "GHLAPI", "GHLSandbox", "GHLSync", "GHLAuth", "GHLRealtime", "GHLServer", "GHLPostgres",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "ghlsync", dependencies: [
            "GHLBench",
            "GHLJSON", "GHLStore", "GHLAPI", "GHLSandbox", "GHLSync", "GHLAuth", "GHLRealtime", "GHLServer", "GHLPostgres",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], plugins: ["BuildInfoPlugin"]),

        // The temporary store every test target starts from; for tests only.
        .target(name: "GHLStoreTestSupport", dependencies: ["GHLStore"]),

        // A throwaway PostgreSQL cluster (initdb, pg_ctl) for the tests that need one.
        .target(name: "GHLPostgresTestSupport"),

        .testTarget(name: "GHLStoreTests", dependencies: ["GHLStore", "GHLStoreTestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "GHLJSONTests", dependencies: ["GHLJSON"]),
        .testTarget(name: "GHLAPITests", dependencies: ["GHLJSON", "GHLAPI", "GHLModel", "GHLSandbox"]),
        .testTarget(name: "GHLSandboxTests", dependencies: [
            "GHLJSON", "GHLSandbox", "GHLAPI",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "GHLSyncTests", dependencies: ["GHLJSON", "GHLSync", "GHLStore", "GHLStoreTestSupport", "GHLAPI", "GHLSandbox",
                                                    "GHLPostgres", "GHLPostgresTestSupport"]),
        .testTarget(name: "GHLAuthTests", dependencies: ["GHLAuth", "GHLStore", "GHLStoreTestSupport", "GHLPostgres", "GHLPostgresTestSupport"]),
        .testTarget(name: "GHLRealtimeTests", dependencies: [
            // GHLServer for `AuthChannelAuthorizer` (the attack tests run realtime behind real auth);
            // GHLBench for `WebSocketFrameReader` (frames read back off the wire).
            "GHLJSON", "GHLRealtime", "GHLStore", "GHLStoreTestSupport", "GHLAuth", "GHLServer", "GHLBench",
            // The suites that must behave alike on both engines run over PostgreSQL too.
            "GHLPostgres", "GHLPostgresTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
        ]),
        .testTarget(name: "GHLServerTests", dependencies: [
            "GHLJSON", "GHLServer", "GHLStoreTestSupport", "GHLPostgres", "GHLPostgresTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "GHLPostgresTests", dependencies: ["GHLPostgres", "GHLPostgresTestSupport", "GHLStore", "GHLStoreTestSupport"]),
        // End-to-end tests that run the built `ghlsync` binary.
        .testTarget(name: "ghlsyncTests", dependencies: [
            "GHLJSON", "GHLStore", "GHLAPI", "GHLSandbox", "GHLServer", "GHLRealtime", "GHLPostgresTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        ]),
    ]
)
