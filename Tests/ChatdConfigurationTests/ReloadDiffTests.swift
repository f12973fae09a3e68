// SPDX-License-Identifier: Apache-2.0
import ChatdConfiguration
import Testing

/// What a reload reports as needing a restart, from the settings table.
@Suite struct ReloadDiffTests {
    static func changed(_ settings: [ConfigKey: String]) throws -> [ConfigKey] {
        var new = ChatdConfig()
        for (key, value) in settings { try new.set(key, value) }
        return new.restartOnlyChanges(from: ChatdConfig())
    }

    @Test func liveKeysNeedNoRestart() throws {
        #expect(try Self.changed([.motd: "hi", .maxConnections: "7", .adminUsers: "ann", .logLevel: "debug"]) == [])
    }

    @Test func restartOnlyKeysAreReported() throws {
        #expect(try Self.changed([.redisPoolSize: "9", .listen: "127.0.0.1:1"]) == [.listen, .redisPoolSize])
        #expect(try Self.changed([.tlsListen: "127.0.0.1:2"]) == [.tlsListen])
    }

    /// The three scrypt keys are one cost, reported as scrypt_n.
    @Test func scryptIsOneCost() throws {
        #expect(try Self.changed([.scryptR: "4", .scryptP: "2"]) == [.scryptN])
    }

    @Test func badValuesSayWhatIsExpected() {
        var config = ChatdConfig()
        #expect(throws: ConfigError.invalid(key: "redis_pool_size", value: "0", "expected a whole number from 1 to 64"))
        {
            try config.set(.redisPoolSize, "0")
        }
        #expect(throws: ConfigError.invalid(key: "scrypt_n", value: "1000", "must be a power of two")) {
            try config.set(.scryptN, "1000")
        }
        #expect(
            throws: ConfigError.invalid(
                key: "metrics_listen",
                value: "x",
                "expected HOST:PORT, or nothing for no metrics endpoint"
            )
        ) {
            try config.set(.metricsListen, "x")
        }
    }
}
