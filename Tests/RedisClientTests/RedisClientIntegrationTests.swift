// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import NIOCore
import RedisClient
import TestTier
import Testing

@Suite(.timeLimit(.minutes(1)), .integration)
struct RedisClientIntegrationTests {
    @Test func setAndGet() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server)) { client in
                #expect(try await client.send("SET", "greeting", "hello") == .simpleString("OK"))
                #expect(try await client.send("GET", "greeting").string == "hello")
                #expect(try await client.send("GET", "missing").isNull)
                #expect(try await client.send("INCRBY", "n", "5").int == 5)
                let binary = ByteBuffer(bytes: [0, 1, 13, 10, 255])
                _ = try await client.send([ByteBuffer(string: "SET"), ByteBuffer(string: "bin"), binary])
                #expect(try await client.send("GET", "bin").buffer == binary)
                try await client.ping()
                #expect(client.isHealthy)
            }
        }
    }

    @Test func errorReplyIsAValueAndTheConnectionKeepsWorking() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server, poolSize: 1)) { client in
                do throws(RedisError) {
                    _ = try await client.send("NOSUCHCOMMAND", "x")
                    Issue.record("expected an error reply")
                } catch {
                    guard case .server(let message) = error else { throw error }
                    #expect(message.hasPrefix("ERR"))
                }
                _ = try await client.send("SET", "s", "text")
                await #expect(throws: RedisError.self) { try await client.send("INCR", "s") }
                let results = try await client.pipeline([["SET", "a", "1"], ["INCR", "s"], ["GET", "a"]])
                #expect(try results[0].get() == .simpleString("OK"))
                guard case .failure(.server) = results[1] else {
                    Issue.record("expected a server error, got \(results[1])")
                    return
                }
                #expect(try results[2].get().string == "1")
                try await client.ping()
            }
        }
    }

    @Test func pipelineOf1000CommandsKeepsOrder() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server)) { client in
                let results = try await client.pipeline(Array(repeating: ["INCR", "counter"], count: 1000))
                #expect(try results.map { try $0.get().int } == Array(1...1000))
                let sets = (0..<1000).map { ["SET", "key:\($0)", "value:\($0)"] }
                _ = try await client.pipeline(sets)
                let gets = try await client.pipeline((0..<1000).map { ["GET", "key:\($0)"] })
                #expect(try gets.map { try $0.get().string } == (0..<1000).map { "value:\($0)" })
            }
        }
    }

    @Test func concurrentCallersShareThePool() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server, poolSize: 3)) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<50 {
                        group.addTask {
                            for index in 0..<20 {
                                let key = "t\(task):\(index)"
                                _ = try await client.send("SET", key, "\(task * 1000 + index)")
                                #expect(try await client.send("GET", key).int == task * 1000 + index)
                                _ = try await client.send("INCR", "total")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await client.send("GET", "total").int == 1000)
            }
        }
    }

    @Test func commandTimeoutFailsTheCommandAndTheClientRecovers() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server, poolSize: 1, commandTimeout: .seconds(1))) { client in
                // Retried: on a loaded machine even a PING may miss a short timeout.
                try await awaitPing(client)
                // BLPOP blocks server-side far longer than the command timeout.
                do throws(RedisError) {
                    _ = try await client.send("BLPOP", "never-filled", "30")
                    Issue.record("expected a timeout")
                } catch {
                    #expect(error == .timeout)
                }
                try await awaitPing(client)
            }
        }
    }

    @Test func authenticationAndDatabaseSelection() async throws {
        try await RedisServerProcess.with { server in
            try await withClient(try testConfiguration(server, poolSize: 1)) { admin in
                _ = try await admin.send("CONFIG", "SET", "requirepass", "s3cret")
                var good = try RedisConfiguration(url: "redis://:s3cret@\(server.host):\(server.port)/2")
                good.poolSize = 1
                try await withClient(good) { client in
                    _ = try await client.send("SET", "where", "db2")
                    #expect(try await client.send("GET", "where").string == "db2")
                }
                // The admin connection authenticated before the password was set and uses db 0.
                #expect(try await admin.send("GET", "where").isNull)
                var bad = good
                bad.password = "wrong"
                try await withClient(bad) { client in
                    do throws(RedisError) {
                        try await client.ping()
                        Issue.record("expected AUTH to fail")
                    } catch {
                        guard case .connectionFailed(let why) = error else { throw error }
                        #expect(why.contains("AUTH"))
                        #expect(!why.contains("wrong"), "the password must not leak into errors")
                    }
                }
            }
        }
    }

    @Test func nothingListeningFailsFast() async throws {
        try await withRefusingLoopbackPort { port in
            var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
            configuration.connectTimeout = .seconds(1)
            try await withClient(configuration) { client in
                for _ in 0..<5 {
                    await #expect(throws: RedisError.self) { try await client.ping() }
                }
                #expect(!client.isHealthy)
            }
        }
    }

    @Test func shutdownFailsLaterCallsAndEndsStateStream() async throws {
        try await RedisServerProcess.with { server in
            let client = RedisClient(configuration: try testConfiguration(server))
            try await client.ping()
            let states = client.stateChanges()
            await client.shutdown()
            do throws(RedisError) {
                try await client.ping()
                Issue.record("expected .shutDown")
            } catch {
                #expect(error == .shutDown)
            }
            var seen: [RedisClient.State] = []
            for await state in states { seen.append(state) }
            #expect(seen.first == .up)
            #expect(seen.last == .shutDown)
            #expect(client.state == .shutDown)
        }
    }
}
