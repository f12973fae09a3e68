// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import Logging
import NIOCore
import NIOEmbedded
import RedisClient
import Testing

@testable import ChatServer

/// `SessionHandler` on an EmbeddedChannel, for what it does without a request reaching
/// Redis: the router is built on a Redis client that is never started.
@Suite struct SessionHandlerTests {
    /// Counts the reads the session handler passes towards the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        func read(context: ChannelHandlerContext) {
            self.reads += 1
            context.read()
        }
    }

    func channel() throws -> (EmbeddedChannel, ReadCounter) {
        let configuration = ConfigurationBox(ServerConfiguration())
        let logger = Logger(label: "SessionHandlerTests")
        let store = ChatStore(redis: RedisClient(configuration: RedisConfiguration(), logger: logger))
        let hub = Hub(node: "test", store: store, configuration: configuration, logger: logger)
        let router = RequestRouter(store: store, hub: hub, configuration: configuration, logger: logger)
        let handler = SessionHandler(
            router: router,
            configuration: configuration.current,
            connections: ConnectionTracker()
        )
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([counter, handler])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, counter)
    }

    func readMessage(_ channel: EmbeddedChannel) throws -> ServerMessage? {
        guard var frame = try channel.readOutbound(as: ByteBuffer.self) else { return nil }
        frame.moveReaderIndex(forwardBy: 4)  // the length prefix
        return try ServerMessage.decode(frame)
    }

    /// A kick on a session with nothing in flight: the notice is written, then the
    /// connection closes.
    @Test func aKickWhileIdleSendsTheNoticeAndCloses() throws {
        let (channel, _) = try self.channel()
        let notice = KickedMes(reason: "bye")
        channel.pipeline.fireUserInboundEventTriggered(SessionCommand.kick(notice))
        #expect(try self.readMessage(channel) == .kicked(notice))
        #expect(!channel.isActive)
        #expect(try self.readMessage(channel) == nil)
    }

    /// A handover's pause on an idle session completes at once, and from then on the
    /// session passes no read on.
    @Test func aPauseHoldsEveryRead() throws {
        let (channel, counter) = try self.channel()
        channel.read()
        #expect(counter.reads == 1)
        let paused = channel.eventLoop.makePromise(of: Void.self)
        channel.pipeline.fireUserInboundEventTriggered(HandoverCommand.pause(paused))
        try paused.futureResult.wait()
        channel.read()
        channel.read()
        #expect(counter.reads == 1)
        _ = try channel.finish()
    }
}
