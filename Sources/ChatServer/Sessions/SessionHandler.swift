// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatStore
import Logging
import NIOCore

/// One connection's session, owned by its event loop: decodes frames into client
/// messages, hands them to the router one at a time in arrival order, and writes
/// the replies. While a request is in flight, later frames queue; past
/// `maxQueuedRequests` the handler stops reading from the socket (backpressure).
/// Which of these happens is `SessionStateMachine`'s decision: the handler turns the
/// channel's events into its events and carries out the actions it returns.
final class SessionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let router: RequestRouter
    /// Where this connection is counted until it closes.
    private let connections: ConnectionTracker
    /// From the configuration at connect: only what a session needs, not a copy of it all.
    private let loginTimeout: TimeAmount
    private let id: SessionID
    private let stats: SessionStats
    private let connectedAt: Int64
    private var peer = "?"
    private var address = "?"
    private var bucket: TokenBucket
    private var user: UserIdentity?
    private var state: SessionStateMachine
    /// Frames from fan-out that arrived while the login was in flight.
    private var heldUntilLogin: HeldFrames
    private var loginDeadline: Scheduled<Void>?
    /// Where a logged-in session's socket is kept across restarts; nil for TLS sessions
    /// (their crypto state cannot be handed on) and without systemd's store.
    private let handover: SessionHandover?
    /// Set once the socket is kept: its inode, the key of its `SessionTable` entry.
    private var keptInode: UInt64?
    /// A handover's pause, completed once the queued requests are answered.
    private var paused: EventLoopPromise<Void>?

    init(
        router: RequestRouter,
        configuration: ServerConfiguration,
        connections: ConnectionTracker,
        handover: SessionHandover? = nil,
        restored: RestoredSession? = nil
    ) {
        self.router = router
        self.connections = connections
        self.handover = handover
        self.loginTimeout = configuration.loginTimeout
        self.state = SessionStateMachine(maxQueuedRequests: configuration.maxQueuedRequests)
        self.heldUntilLogin = HeldFrames(limit: configuration.outboundQueueMax)
        let now = WallClock.millis()
        self.id = restored?.id ?? .random()
        self.connectedAt = restored?.connectedAt ?? now
        self.stats = restored?.stats ?? SessionStats(now: now)
        self.bucket = TokenBucket(rate: configuration.requestsPerSecond, burst: configuration.requestBurst)
        if let restored {
            self.user = restored.user
            self.keptInode = restored.inode
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.peer = context.channel.remoteAddress.map(Self.describe) ?? "?"
        // As the per-source limits count it (an IPv6 /64 is one source), for the throttles.
        self.address = context.channel.remoteAddress.flatMap(SourceAddress.init)?.description ?? "?"
        if context.channel.isActive { self.armLoginDeadline(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.armLoginDeadline(context: context)
        context.fireChannelActive()
    }

    private func armLoginDeadline(context: ChannelHandlerContext) {
        let timeout = self.loginTimeout
        guard timeout.nanoseconds > 0, self.loginDeadline == nil, self.user == nil else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.loginDeadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            guard handler.user == nil else { return }
            handler.closeWith(
                .error(ErrorMes(code: StatusCode.notLoggedIn, error: "not logged in within the time limit")),
                context: context
            )
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .process = self.state.frameRead() else { return }
        let frame = Self.unwrapInboundIn(data)
        self.stats.messagesIn.add(1, ordering: .relaxed)
        self.stats.lastActivity.store(WallClock.millis(), ordering: .relaxed)
        do {
            let message = try ClientMessage.decode(frame)
            ServerMetrics.received(message.type)
            switch message {
            case .ping, .pong: break
            case .logout:
                self.state.logoutRead()
            default:
                guard self.bucket.take() else {
                    self.write(
                        .error(ErrorMes(code: StatusCode.rateLimited, error: "too many requests, slow down")),
                        context: context
                    )
                    context.flush()
                    return
                }
            }
            self.carryOut(self.state.requestRead(message), context: context)
        } catch {
            // A bad payload inside a good frame: say so, keep the session.
            self.write(.error(ErrorMes(code: error.code, error: error.message)), context: context)
            context.flush()
        }
    }

    func read(context: ChannelHandlerContext) {
        switch self.state.readRequested() {
        case .forward: context.read()
        case .hold: break
        }
    }

    /// Frames from elsewhere (fan-out, presence, kicks' notices) pass here: counted, and
    /// refused once the session's outbound queue is over its bound.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard self.mayWrite(context: context) else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        if self.user == nil {
            // A login takes milliseconds: a session's worth of queue in that time means
            // something is wrong.
            guard self.heldUntilLogin.hold(data, size: Self.unwrapOutboundIn(data).readableBytes, promise: promise)
            else {
                promise?.fail(ChannelError.outputClosed)
                self.closeAsSlowConsumer(context: context)
                return
            }
            return
        }
        self.stats.messagesOut.add(1, ordering: .relaxed)
        context.write(data, promise: promise)
    }

    /// False when closing, or when more than `outboundQueueMax` bytes already wait for
    /// this client (NIO turns the channel unwritable at the high-water mark): such a
    /// slow consumer is closed instead of being buffered for without bound.
    private func mayWrite(context: ChannelHandlerContext) -> Bool {
        guard !self.state.isClosing else { return false }
        guard context.channel.isWritable else {
            self.closeAsSlowConsumer(context: context)
            return false
        }
        return true
    }

    private func carryOut(_ action: SessionStateMachine.StepAction, context: ChannelHandlerContext) {
        switch action {
        case .noAction:
            break
        case .completePause:
            self.completePause()
        case .startRequest(let message, let forwardRead):
            if forwardRead { context.read() }
            self.start(message, context: context)
        }
    }

    private func start(_ message: ClientMessage, context: ChannelHandlerContext) {
        let origin = RequestRouter.Origin(
            session: self.id,
            channel: context.channel,
            peer: self.peer,
            address: self.address,
            connectedAt: self.connectedAt,
            stats: self.stats,
            user: self.user
        )
        let router = self.router
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await router.handle(message, from: origin)
        }.whenSuccess { outcome in
            let (handler, context) = loopBound.value
            handler.apply(outcome, context: context)
        }
    }

    private func apply(_ outcome: RequestOutcome, context: ChannelHandlerContext) {
        self.state.requestAnswered()
        if let user = outcome.loggedIn {
            self.user = user
            self.loginDeadline?.cancel()
            self.loginDeadline = nil
            if let handover = self.handover, let session = self.router.hub.registry.session(self.id) {
                self.keptInode = handover.keep(session, context: context)
            }
        }
        for (index, reply) in outcome.replies.enumerated() {
            var written: EventLoopPromise<Void>?
            if index == outcome.replies.count - 1, let onWritten = outcome.onWritten {
                written = context.eventLoop.makePromise()
                written?.futureResult.whenSuccess { onWritten() }
            }
            self.write(frame: reply, context: context, promise: written)
        }
        if self.user != nil, !self.heldUntilLogin.isEmpty {
            for (data, promise) in self.heldUntilLogin.takeAll() {
                self.write(context: context, data: data, promise: promise)
            }
        }
        if outcome.close {
            // A logout: what was fanned out to it so far goes out before it closes (the
            // room counts as seen up to there, see `RequestRouter.recordSeenAtLogout`).
            self.router.hub.flushGathered(on: context.eventLoop)
        }
        context.flush()
        switch self.state.repliesWritten(close: outcome.close) {
        case .next(let step): self.carryOut(step, context: context)
        case .closeWithNotice(let notice): self.sendAndClose(.kicked(notice), context: context)
        case .close: context.channel.close(promise: nil)
        case .noAction: break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let command as SessionCommand:
            switch command {
            case .kick(let notice):
                switch self.state.kick(notice) {
                case .sendNoticeAndClose: self.sendAndClose(.kicked(notice), context: context)
                case .noAction: break
                }
            }
        case let command as HandoverCommand:
            switch command {
            case .pause(let promise): self.pause(promise, context: context)
            case .handOver(let promise): self.handOver(promise, context: context)
            }
        case ChannelEvent.inputClosed:
            // The peer is done sending (channels allow half-closure so that a kept socket
            // is shut down before it is closed, below): the session ends as before.
            context.channel.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? ProtocolError {
            self.closeWith(.error(ErrorMes(code: error.code, error: error.message)), context: context)
        } else {
            context.channel.close(promise: nil)
        }
    }

    /// Every close passes here: a kept socket is shut down first, so that systemd's copy
    /// sees the end too and the peer is not left waiting on it.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, self.keptInode != nil, self.state.state != .handedOver {
            SessionHandover.shutDown(context)
        }
        context.close(mode: mode, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let action = self.state.channelInactive(loggedIn: self.user != nil)
        self.connections.untrack(context.channel)
        for (_, promise) in self.heldUntilLogin.takeAll() { promise?.fail(ChannelError.ioOnClosedChannel) }
        self.loginDeadline?.cancel()
        self.paused?.succeed()
        self.paused = nil
        guard case .ended(let ending, let tellRouter) = action else {
            // The session goes on in the next process: no one is told, nothing is revoked.
            _ = self.router.hub.registry.remove(self.id)
            context.fireChannelInactive()
            return
        }
        if self.keptInode != nil { self.handover?.release(self.id) }
        let router = self.router
        let id = self.id
        // Also when a login is still in flight: the router may register the session
        // after this point and then finds the channel inactive; either side removes it.
        if tellRouter {
            router.inFlight.enter()
            Task {
                await router.sessionEnded(id, ending: ending)
                router.inFlight.leave()
            }
        }
        context.fireChannelInactive()
    }

    // MARK: Handover

    /// Stops reading and completes `promise` once every queued request is answered (or
    /// after a grace: a request stuck on Redis does not hold up the restart).
    private func pause(_ promise: EventLoopPromise<Void>, context: ChannelHandlerContext) {
        let action = self.state.pauseRequested()
        context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        guard case .awaitDrain = action else { return promise.succeed() }
        self.paused = promise
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .seconds(2)) {
            let handler = loopBound.value
            if handler.state.pauseGraceExpired() { handler.completePause() }
        }
    }

    private func completePause() {
        self.paused?.succeed()
        self.paused = nil
    }

    /// Passes the session on: once everything written has reached the socket, its
    /// unfinished inbound frame is taken and the descriptor closed (systemd keeps the
    /// socket). A session that cannot be passed on is told to come back.
    private func handOver(_ promise: EventLoopPromise<HandedOverSession?>, context: ChannelHandlerContext) {
        let action = self.state.handOverRequested(kept: self.keptInode != nil, loggedIn: self.user != nil)
        guard case .flush = action, let inode = self.keptInode else {
            if case .refuse(.sendNoticeAndClose) = action {
                self.sendAndClose(
                    .kicked(KickedMes(reason: "server restarting, please reconnect", reconnect: true)),
                    context: context
                )
            }
            return promise.succeed(nil)
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let grace = context.eventLoop.scheduleTask(in: .seconds(2)) {
            let (handler, context) = loopBound.value
            // A peer that does not read: what it has not taken would be lost in passing.
            handler.closeAsSlowConsumer(context: context)
            promise.succeed(nil)
        }
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer())).whenComplete { result in
            let (handler, context) = loopBound.value
            grace.cancel()
            let succeeded = if case .success = result { true } else { false }
            guard case .complete = handler.state.handOverFlushed(success: succeeded) else {
                return promise.succeed(nil)
            }
            let reader = try? context.pipeline.syncOperations.handler(type: FrameReader.self)
            let unfinished = reader?.takeUnfinished()
            promise.succeed(
                HandedOverSession(
                    inode: inode,
                    unfinished: unfinished,
                    received: handler.stats.received,
                    sent: handler.stats.sent
                )
            )
            context.channel.close(promise: nil)
        }
    }

    private func closeAsSlowConsumer(context: ChannelHandlerContext) {
        guard case .sendNoticeAndClose = self.state.closeRequested() else { return }
        ServerMetrics.slowConsumerKicks.increment()
        self.sendAndClose(.kicked(KickedMes(reason: "slow consumer", reconnect: true)), context: context)
    }

    /// Writes a last message, then closes once it is sent — or after a short grace,
    /// for a peer that does not read.
    private func closeWith(_ message: ServerMessage, context: ChannelHandlerContext) {
        guard case .sendNoticeAndClose = self.state.closeRequested() else { return }
        self.sendAndClose(message, context: context)
    }

    /// `closeWith` once the state machine has agreed to close.
    private func sendAndClose(_ message: ServerMessage, context: ChannelHandlerContext) {
        let channel = context.channel
        let grace = context.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        context.writeAndFlush(Self.wrapOutboundOut(message.frame())).whenComplete { _ in
            grace.cancel()
            channel.close(promise: nil)
        }
    }

    private func write(_ message: ServerMessage, context: ChannelHandlerContext) {
        self.write(frame: message.frame(), context: context)
    }

    private func write(frame: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        guard self.mayWrite(context: context) else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        self.stats.messagesOut.add(1, ordering: .relaxed)
        context.write(Self.wrapOutboundOut(frame), promise: promise)
    }

    static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4, .v6: return "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .unixDomainSocket: return "unix"
        }
    }
}

/// Why a session ended, as the rest of the server must treat it.
enum SessionEnding: Sendable {
    /// The connection dropped: the user may be back within the presence grace.
    case dropped
    /// Kicked, timed out, refused: announced at once.
    case deliberate
    /// The client sent LogoutMes: announced at once, and its resume tokens revoked.
    case loggedOut

    mutating func becomeDeliberate() {
        if self == .dropped { self = .deliberate }
    }
}

/// Orders to a session from outside its loop (admins, shutdown).
public enum SessionCommand: Sendable {
    case kick(KickedMes)

    /// Ends the session on `channel` with `notice`, from any thread: its handler sends the
    /// notice after what it is answering, then closes.
    static func kick(_ channel: any Channel, _ notice: KickedMes) {
        channel.pipeline.fireUserInboundEventTriggered(SessionCommand.kick(notice))
    }

    /// An administrator's or the rules' kick: the client should not come straight back.
    static func kick(_ channel: any Channel, reason: String) {
        self.kick(channel, KickedMes(reason: reason))
    }
}
