// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import NIOPosix
import RedisClient
import TestTier
import Testing

@Suite(.integration) struct UnixSocketTests {
    @Test func urlForms() throws {
        let plain = try RedisConfiguration(url: "unix:///run/redis/redis-server.sock")
        #expect(plain.unixSocketPath == "/run/redis/redis-server.sock")
        #expect(plain.database == nil)
        #expect(try RedisConfiguration(url: "unix:///tmp/r.sock?db=3").database == 3)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "unix://relative.sock") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "unix:///tmp/r.sock?timeout=1") }
    }

    /// Redis over a Unix socket (the sandboxed unit's drop-in uses this).
    @Test func commandsOverAUnixSocket() async throws {
        try await RedisServerProcess.with { server in
            let client = RedisClient(
                configuration: try RedisConfiguration(url: "unix://\(server.unixSocketPath)?db=1"),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton
            )
            _ = try await client.send("SET", "over", "unix")
            #expect(try await client.send("GET", "over").string == "unix")
            // db=1 was selected: database 0 does not have the key.
            _ = try await client.send("SELECT", "0")
            await client.shutdown()
            let tcp = RedisClient(
                configuration: try RedisConfiguration(url: server.url),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton
            )
            #expect(try await tcp.send("GET", "over").isNull)
            await tcp.shutdown()
        }
    }
}
