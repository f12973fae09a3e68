// SPDX-License-Identifier: Apache-2.0

// ---------------------------------------------------------------------------
// Appended by scripts/fuzz to a copy of the root Package.swift, in a staging
// directory under .build-fuzz/ (see docs/FUZZING.md). The root manifest itself
// never names the fuzzers, so `swift build` / `swift test` are untouched.
// The fuzzers use the real targets, with the real dependency graph.
package.products = []
// Test targets, and the test support that lives under Tests/, are not staged.
package.targets.removeAll { $0.type == .test || $0.type == .executable || $0.path?.hasPrefix("Tests/") == true }
package.targets += [
    .target(name: "FuzzSupport", path: "FuzzTargets/FuzzSupport"),
    .target(name: "CFuzzerDriver", path: "FuzzTargets/CFuzzerDriver"),
    .executableTarget(
        name: "FuzzFrames",
        dependencies: [
            "ChatProtocol", "FuzzSupport", "CFuzzerDriver",
            .product(name: "NIOCore", package: "swift-nio"),
        ],
        path: "FuzzTargets/FuzzFrames"
    ),
    .executableTarget(
        name: "FuzzRESP",
        dependencies: [
            "RedisClient", "FuzzSupport", "CFuzzerDriver",
            .product(name: "NIOCore", package: "swift-nio"),
        ],
        path: "FuzzTargets/FuzzRESP"
    ),
    // LineFrameDecoder is internal to ChatServer: its source file is compiled into
    // the fuzzer (a symlink made by scripts/fuzz).
    .executableTarget(
        name: "FuzzControl",
        dependencies: [
            "FuzzSupport", "CFuzzerDriver", "ControlProtocol",
            .product(name: "NIOCore", package: "swift-nio"),
        ],
        path: "FuzzTargets/FuzzControl"
    ),
]
