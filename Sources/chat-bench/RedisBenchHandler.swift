// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// One connection of the Redis baseline: a subscriber (counts `message` pushes and
/// their latency) or a publisher (PUBLISHes at the pacer's command, counts replies).
final class RedisBenchHandler: ChannelInboundHandler, PacedSender {
    typealias InboundIn = RESPItem

    let stats: LoopStats
    private var context: ChannelHandlerContext?
    private var subscribed: EventLoopPromise<Void>?
    var closingOnPurpose = false
    var sentCount = 0
    /// PUBLISHes awaiting their reply, held like the chat senders' messages.
    private var window = SendWindow()
    /// Channel name and content size for PUBLISH.
    var channelName = "bench"
    var size = 100

    init(stats: LoopStats) { self.stats = stats }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .message(let payload):
            self.stats.recordDelivery(of: payload)
        case .subscribed:
            self.subscribed?.succeed()
            self.subscribed = nil
        case .integer:
            self.window.acknowledged()
            self.stats.counters.acked += 1
        case .error(let text):
            self.window.acknowledged()
            self.stats.counters.ackFailures += 1
            self.subscribed?.fail(BenchError.failed("redis: " + text))
            self.subscribed = nil
        case .other:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.closingOnPurpose { self.stats.counters.unexpectedCloses += 1 }
        self.subscribed?.fail(ChatSessionHandler.Failure.closed)
        self.subscribed = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func subscribe() -> EventLoopFuture<Void> {
        guard let context = self.context else {
            return self.stats.loop.makeFailedFuture(ChatSessionHandler.Failure.notConnected)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        self.subscribed = promise
        context.writeAndFlush(
            NIOAny(Self.command(["SUBSCRIBE", self.channelName], allocator: context.channel.allocator)),
            promise: nil
        )
        return promise.futureResult
    }

    func sendNext(sequence: Int) {
        guard let context = self.context, context.channel.isActive else { return }
        self.sentCount += 1
        guard self.window.admit(on: context.channel, counting: &self.stats.counters) else { return }
        let content = Payload.content(sentAt: Clock.nanoseconds(), size: self.size)
        context.writeAndFlush(
            NIOAny(Self.command(["PUBLISH", self.channelName, content], allocator: context.channel.allocator)),
            promise: nil
        )
    }

    static func command(_ parts: [String], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64 + parts.reduce(0) { $0 + $1.utf8.count })
        buffer.writeString("*\(parts.count)\r\n")
        for part in parts {
            buffer.writeString("$\(part.utf8.count)\r\n")
            buffer.writeString(part)
            buffer.writeString("\r\n")
        }
        return buffer
    }
}
