// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import NIOCore
import RedisClient
import TestTier
import Testing

@Suite(.timeLimit(.minutes(1)), .integration)
struct RedisReconnectTests {
    @Test func clientRecoversAfterRedisIsKilledAndRestarted() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server, poolSize: 3)) { client in
                try await client.ping()
                await awaitState(client, .up)

                await server.kill9()
                // Reaching .down is the assertion; a connect that raced the kill may still flip
                // the state up and down once more, so isHealthy is not sampled here.
                await awaitState(client, .down)
                // While Redis is down every call fails with a RedisError instead of hanging.
                for _ in 0..<20 {
                    await #expect(throws: RedisError.self) { try await client.send("SET", "k", "v") }
                }
                await #expect(throws: RedisError.self) { try await client.pipeline([["PING"], ["PING"]]) }

                try await server.restart()
                await awaitState(client, .up)
                try await awaitPing(client)
                _ = try await client.send("SET", "after", "restart")
                #expect(try await client.send("GET", "after").string == "restart")
            }
        }
    }

    @Test func trafficDuringRestartOnlySeesRedisErrors() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server, poolSize: 2)) { client in
                try await client.ping()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            for index in 0..<200 {
                                do throws(RedisError) {
                                    _ = try await client.send("SET", "w\(worker)", "\(index)")
                                } catch {
                                    // Any failure here must be one of ours, never a hang or a crash.
                                    #expect(error != .shutDown)
                                }
                            }
                        }
                    }
                    await server.kill9()
                    try await server.restart()
                    try await group.waitForAll()
                }
                try await awaitPing(client)
            }
        }
    }
}
