// SPDX-License-Identifier: Apache-2.0
import Logging
import NIOCore

/// What `RedisConnection` writes into the pipeline: already-encoded commands and one
/// promise per expected reply. A request without promises expects no FIFO reply
/// (SUBSCRIBE/UNSUBSCRIBE, whose confirmations arrive as pushes).
struct RedisRequest: Sendable {
    var payload: ByteBuffer
    var promises: [EventLoopPromise<RESPValue>]
}

/// Matches replies to requests in FIFO order, which is what makes pipelining work.
///
/// Only the oldest pending command can be late, so a single timer watches the head of
/// the queue. A timeout closes the channel: the next reply would belong to the timed-out
/// command and every later reply would be misattributed.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        let promise: EventLoopPromise<RESPValue>
        let deadline: NIODeadline
    }

    private var pending = CircularBuffer<Pending>()
    private var timer: Scheduled<Void>?
    private var isOpen = true
    private let commandTimeout: TimeAmount
    /// Receives pub/sub pushes; `nil` on ordinary command connections.
    private let onPush: (@Sendable (RESPValue) -> Void)?
    private let logger: Logger

    init(commandTimeout: TimeAmount, onPush: (@Sendable (RESPValue) -> Void)?, logger: Logger) {
        self.commandTimeout = commandTimeout
        self.onPush = onPush
        self.logger = logger
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = Self.unwrapOutboundIn(data)
        guard self.isOpen else {
            for reply in request.promises { reply.fail(RedisError.connectionClosed) }
            promise?.fail(RedisError.connectionClosed)
            return
        }
        let deadline = NIODeadline.now() + self.commandTimeout
        for reply in request.promises {
            self.pending.append(Pending(promise: reply, deadline: deadline))
        }
        context.write(Self.wrapOutboundOut(request.payload), promise: promise)
        self.armTimer(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a timeout or error the stream is out of sync; the channel is closing anyway.
        guard self.isOpen else { return }
        let value = Self.unwrapInboundIn(data)
        if let onPush = self.onPush, Self.isPush(value) {
            onPush(value)
            return
        }
        guard let head = self.pending.popFirst() else {
            self.logger.warning("Redis sent a reply nobody asked for; closing connection")
            context.close(promise: nil)
            return
        }
        head.promise.succeed(value)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.failAll(RedisError.connectionClosed)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let redisError = error as? RedisError ?? .connectionClosed
        self.logger.warning("Redis connection error, closing", metadata: ["error": "\(error)"])
        self.failAll(redisError)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        self.isOpen = false
        self.timer?.cancel()
        self.timer = nil
        while let entry = self.pending.popFirst() {
            entry.promise.fail(error)
        }
    }

    /// At most one timer is armed; when it fires early (its head was answered) it re-arms
    /// for the current head instead of being rescheduled on every reply.
    private func armTimer(context: ChannelHandlerContext) {
        guard self.timer == nil, let head = self.pending.first else { return }
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: head.deadline) {
            self.timer = nil
            self.checkTimeout(context: context)
        }
    }

    private func checkTimeout(context: ChannelHandlerContext) {
        guard self.isOpen, let head = self.pending.first else { return }
        guard head.deadline <= .now() else {
            self.armTimer(context: context)
            return
        }
        self.pending.removeFirst()
        head.promise.fail(RedisError.timeout)
        self.logger.warning("Redis command timed out; closing connection")
        self.failAll(RedisError.connectionClosed)
        context.close(promise: nil)
    }

    private static let pushKinds: Set<String> = [
        "message", "pmessage", "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
    ]

    private static func isPush(_ value: RESPValue) -> Bool {
        guard let kind = value.array?.first?.string else { return false }
        return pushKinds.contains(kind.lowercased())
    }
}
