// swift-tools-version:6.0
import PackageDescription

// One-way dependencies: executables → ChatServer → ChatStore → RedisClient.
// ChatProtocol and Systemd may be used by anyone. Only ChatStore names Redis keys.
let package = Package(
    name: "chatd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "chatd", targets: ["chatd"]),
        .executable(name: "chat", targets: ["chat"]),
        .executable(name: "chatctl", targets: ["chatctl"]),
        .executable(name: "chat-bench", targets: ["chat-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "Systemd",
            dependencies: [
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ChatProtocol",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio")
            ]
        ),
        .target(
            name: "RedisClient",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ChatStore",
            dependencies: [
                "RedisClient", "ChatProtocol",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The control socket's JSON-RPC messages, pure: shared by chatd and chatctl.
        .target(name: "ControlProtocol"),
        // The version and git commit every program reports; the plugin records the commit.
        .target(name: "BuildInfo", plugins: ["GitCommit"]),
        .plugin(name: "GitCommit", capability: .buildTool()),
        // The config file syntax, pure: one parser for chatd's file and `chat`'s.
        .target(name: "ConfigSyntax"),
        .target(
            name: "ChatServer",
            dependencies: [
                "ChatStore", "ChatProtocol", "ControlProtocol", "BuildInfo",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // chatd's configuration keys, parsing and checks: a library so that tests reach it.
        .target(
            name: "ChatdConfiguration",
            dependencies: [
                "ChatServer", "ChatStore", "RedisClient", "ConfigSyntax",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "chatd",
            dependencies: [
                "ChatdConfiguration", "ChatServer", "Systemd", "CSystemd", "BuildInfo",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The client's logic (config, editor, rendering, connection) lives in a library
        // so ChatClientTests can reach it; the executable is argument parsing and wiring.
        .target(
            name: "ChatClient",
            dependencies: [
                "ChatProtocol", "ConfigSyntax",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "chat",
            dependencies: [
                "ChatClient", "ChatProtocol", "BuildInfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "chatctl",
            dependencies: [
                "ControlProtocol", "ChatProtocol", "BuildInfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // chatd under a stand-in for systemd's fd store, for the restart bench on a host
        // without systemd as PID 1. Not in the .deb.
        .executableTarget(
            name: "fdstore-host",
            dependencies: [
                "ChatTesting",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "chat-bench",
            dependencies: [
                "ChatProtocol", "BuildInfo", "CleanSpawn", "RedisClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // posix_spawn with a clean signal mask, for ChatTesting and chat-bench.
        .target(name: "CleanSpawn"),
        .target(
            name: "ChatTesting",
            dependencies: [
                "ChatProtocol", "CleanSpawn", "RedisClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The `.integration` trait and the tier switch (CHATD_TEST_TIER), for every test target.
        .target(name: "TestTier", path: "Tests/TestTier"),
        .testTarget(name: "ChatProtocolTests", dependencies: ["TestTier", "ChatProtocol", "ChatTesting"]),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "TestTier",
                "RedisClient", "ChatTesting",
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ChatStoreTests",
            dependencies: [
                "TestTier",
                "ChatStore", "ChatTesting", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SoakTests",
            dependencies: [
                "TestTier",
                "ChatTesting", "ChatProtocol", "RedisClient",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ChatServerTests",
            dependencies: [
                "TestTier",
                "ChatServer", "ChatTesting", "ChatStore", "RedisClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "ChatdConfigurationTests",
            dependencies: ["TestTier", "ChatdConfiguration", "ChatServer", "ChatStore"]
        ),
        .testTarget(
            name: "SystemdTests",
            dependencies: [
                "TestTier",
                "Systemd", "ChatTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // RedisClient only to plant records from before the name rules.
        .testTarget(
            name: "ChatClientTests",
            dependencies: [
                "TestTier",
                "ChatClient", "ChatProtocol", "ChatTesting", "CleanSpawn", "RedisClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Drives the real chatd and chatctl binaries; ChatServer for the policy unit tests,
        // RedisClient only to plant seed records.
        .testTarget(
            name: "ControlTests",
            dependencies: [
                "TestTier",
                "ControlProtocol", "ChatProtocol", "ChatServer", "ChatTesting", "RedisClient", "BuildInfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
