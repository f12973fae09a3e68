// SPDX-License-Identifier: Apache-2.0
import ChatTesting
import Logging
import NIOCore
import RedisClient
import TestTier
import Testing

@Suite(.timeLimit(.minutes(1)), .integration)
struct RedisSubscriberTests {
    @Test func receivesPublishedMessagesInOrder() async throws {
        try await RedisServerProcess.with { server in
            let configuration = try testConfiguration(server)
            let subscriber = RedisSubscriber(configuration: configuration)
            do {
                try await withClient(configuration) { client in
                    let stream = try await subscriber.subscribe(channels: ["room:1", "room:2"])
                    #expect(try await client.send("PUBLISH", "room:1", "hello").int == 1)
                    #expect(try await client.send("PUBLISH", "other", "ignored").int == 0)
                    #expect(try await client.send("PUBLISH", "room:2", "world").int == 1)
                    var received: [RedisMessage] = []
                    for await message in stream {
                        received.append(message)
                        if received.count == 2 { break }
                    }
                    #expect(received.map(\.channel) == ["room:1", "room:2"])
                    #expect(received.map(\.string) == ["hello", "world"])
                }
            } catch {
                await subscriber.shutdown()
                throw error
            }
            await subscriber.shutdown()
        }
    }

    @Test func resubscribesAfterRedisRestart() async throws {
        try await RedisServerProcess.with { server in
            let configuration = try testConfiguration(server)
            let subscriber = RedisSubscriber(configuration: configuration)
            do {
                try await withClient(configuration) { client in
                    let stream = try await subscriber.subscribe(channels: ["events"])
                    #expect(try await client.send("PUBLISH", "events", "before").int == 1)

                    await server.kill9()
                    try await server.restart()
                    // Recovery is awaited by retrying until Redis reports a receiver.
                    var receivers = 0
                    for _ in 0..<200 where receivers == 0 {
                        receivers = (try? await client.send("PUBLISH", "events", "after").int) ?? 0
                        if receivers == 0 { try await Task.sleep(for: .milliseconds(25)) }
                    }
                    #expect(receivers == 1)
                    var payloads: [String] = []
                    for await message in stream {
                        payloads.append(message.string)
                        if message.string == "after" { break }
                    }
                    #expect(payloads == ["before", "after"])
                }
            } catch {
                await subscriber.shutdown()
                throw error
            }
            await subscriber.shutdown()
        }
    }

    @Test func endingAStreamUnsubscribesAndShutdownEndsStreams() async throws {
        try await RedisServerProcess.with { server in
            let configuration = try testConfiguration(server)
            let subscriber = RedisSubscriber(configuration: configuration)
            try await withClient(configuration) { client in
                let kept = try await subscriber.subscribe(channels: ["kept"])
                let droppedStream = try await subscriber.subscribe(channels: ["dropped"])
                let dropped = Task {
                    for await _ in droppedStream {}
                }
                dropped.cancel()
                await dropped.value
                // UNSUBSCRIBE travels asynchronously; NUMSUB tells when Redis has processed it.
                var count = -1
                for _ in 0..<200 where count != 0 {
                    count = try await client.send("PUBSUB", "NUMSUB", "dropped").array?[1].int ?? -1
                    if count != 0 { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(count == 0)
                #expect(try await client.send("PUBSUB", "NUMSUB", "kept").array?[1].int == 1)

                await subscriber.shutdown()
                for await _ in kept {}
                await #expect(throws: RedisError.shutDown) { try await subscriber.subscribe(channels: ["late"]) }
            }
        }
    }

    @Test func subscribeFailsFastWhenRedisIsDown() async throws {
        try await withRefusingLoopbackPort { port in
            var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
            configuration.connectTimeout = .seconds(1)
            let subscriber = RedisSubscriber(configuration: configuration)
            await #expect(throws: RedisError.self) { try await subscriber.subscribe(channels: ["nobody"]) }
            #expect(!subscriber.isConnected)
            await subscriber.shutdown()
        }
    }

    /// A listener more than its backlog of bytes behind loses the oldest messages, as a
    /// slow subscriber does in Redis itself, and a warning says how many were lost.
    @Test func aListenerTooFarBehindLosesTheOldestAndIsWarned() async throws {
        try await RedisServerProcess.with { server in
            let (warnings, warned) = AsyncStream.makeStream(of: (message: String, metadata: Logger.Metadata).self)
            let logger = Logger(label: "test.bus") { _ in WarningCapture(warned) }
            // Room for exactly 100 messages of 1,000 bytes on "busy".
            let cost = RedisSubscriber.backlogCost(
                of: RedisMessage(channel: "busy", payload: ByteBuffer(repeating: 0, count: 1000))
            )
            let configuration = try testConfiguration(server)
            let subscriber = RedisSubscriber(configuration: configuration, logger: logger, backlogBytes: 100 * cost)
            do {
                try await withClient(configuration) { client in
                    let stream = try await subscriber.subscribe(channels: ["busy"])
                    // One script publishes them all before the listener reads any:
                    // 00000001xxx…, 00000002xxx…, each 1,000 bytes.
                    let script =
                        "for i = 1, tonumber(ARGV[1]) do redis.call('PUBLISH', KEYS[1], string.format('%08d', i) .. string.rep('x', 992)) end"
                    _ = try await client.send("EVAL", script, "1", "busy", "105")
                    var dropWarning: Logger.Metadata?
                    for await warning in warnings where warning.message.contains("dropped") {
                        dropWarning = warning.metadata
                        break
                    }
                    #expect(dropWarning?["dropped"] == "5")
                    var received: [String] = []
                    for await message in stream {
                        #expect(message.payload.readableBytes == 1000)
                        received.append(String(message.string.prefix(8)))
                        if received.count == 100 { break }
                    }
                    #expect(received == (6...105).map { String(format: "%08d", $0) })
                }
            } catch {
                await subscriber.shutdown()
                throw error
            }
            await subscriber.shutdown()
        }
    }
}

/// Passes on every warning logged, with its metadata.
private struct WarningCapture: LogHandler {
    let warned: AsyncStream<(message: String, metadata: Logger.Metadata)>.Continuation
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    init(_ warned: AsyncStream<(message: String, metadata: Logger.Metadata)>.Continuation) { self.warned = warned }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level == .warning { self.warned.yield(("\(event.message)", event.metadata ?? [:])) }
    }
}
