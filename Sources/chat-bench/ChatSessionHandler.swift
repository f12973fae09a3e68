// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// The client end of one chat session: answers login/register requests through
/// promises and counts everything else into its loop's stats.
final class ChatSessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    struct LoginReply: Sendable {
        var code: Int
        var token: String?
    }

    enum Failure: Error { case closed, timedOut, notConnected }

    let stats: LoopStats
    private var context: ChannelHandlerContext?
    private var pendingRegister: EventLoopPromise<Int>?
    private var pendingLogin: EventLoopPromise<LoginReply>?
    private var pendingHistory: EventLoopPromise<ByteBuffer>?
    private(set) var token: String?
    /// Set before the bench closes the connection itself, so it is not an error.
    var closingOnPurpose = false
    /// What `sendNext` sends.
    var traffic = ChatTraffic.none
    /// Messages this session has sent in the current traffic phase.
    var sentCount = 0
    private var window = SendWindow()
    /// The restart scenario's record of what this session received.
    var tracker: RestartTracker?
    private var wasKicked = false

    init(stats: LoopStats) { self.stats = stats }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let body = self.unwrapInboundIn(data)
        switch FrameScan.kind(of: body) {
        case .sms, .privateMessage:
            self.stats.recordDelivery(of: body)
            self.tracker?.recordLive(body)
        case .offline:
            self.tracker?.recordOffline(body)
        case .historyResult:
            let promise = self.pendingHistory
            self.pendingHistory = nil
            promise?.succeed(body)
        case .notify:
            self.stats.counters.notifications += 1
        case .smsResult, .privateResult:
            self.window.acknowledged()
            if FrameScan.code(in: body) == 200 {
                self.stats.counters.acked += 1
            } else {
                self.stats.counters.ackFailures += 1
            }
        case .loginResult:
            let reply = LoginReply(code: FrameScan.code(in: body) ?? 0, token: FrameScan.token(in: body))
            if reply.code == 200 { self.token = reply.token ?? self.token }
            let promise = self.pendingLogin
            self.pendingLogin = nil
            promise?.succeed(reply)
        case .registerResult:
            let promise = self.pendingRegister
            self.pendingRegister = nil
            promise?.succeed(FrameScan.code(in: body) ?? 0)
        case .error:
            self.stats.counters.errorFrames += 1
            let code = FrameScan.code(in: body) ?? 0
            self.stats.counters.errorCodes[code, default: 0] += 1
            self.window.acknowledged()
            if let promise = self.pendingLogin {
                self.pendingLogin = nil
                promise.succeed(LoginReply(code: code, token: nil))
            } else if let promise = self.pendingRegister {
                self.pendingRegister = nil
                promise.succeed(code)
            }
        case .ping:
            context.writeAndFlush(NIOAny(ClientFrames.pong()), promise: nil)
        case .kicked:
            self.wasKicked = true
        case .pong, .other:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.closingOnPurpose {
            self.stats.counters.unexpectedCloses += 1
            self.tracker?.closed(kicked: self.wasKicked)
        }
        self.pendingHistory?.fail(Failure.closed)
        self.pendingHistory = nil
        self.pendingLogin?.fail(Failure.closed)
        self.pendingLogin = nil
        self.pendingRegister?.fail(Failure.closed)
        self.pendingRegister = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: requests (on the channel's loop)

    func register(id: Int, password: String, timeout: TimeAmount) -> EventLoopFuture<Int> {
        guard let context = self.context else { return self.stats.loop.makeFailedFuture(Failure.notConnected) }
        let promise = context.eventLoop.makePromise(of: Int.self)
        self.pendingRegister = promise
        context.writeAndFlush(NIOAny(ClientFrames.register(id: id, password: password)), promise: nil)
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            guard let pending = self.pendingRegister, pending.futureResult === promise.futureResult else { return }
            self.pendingRegister = nil
            pending.fail(Failure.timedOut)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    /// Logs in with `token` when given, else with the password.
    func login(id: Int, password: String, token: String?, timeout: TimeAmount) -> EventLoopFuture<LoginReply> {
        guard let context = self.context else { return self.stats.loop.makeFailedFuture(Failure.notConnected) }
        let promise = context.eventLoop.makePromise(of: LoginReply.self)
        self.pendingLogin = promise
        context.writeAndFlush(NIOAny(ClientFrames.login(id: id, password: password, token: token)), promise: nil)
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            guard let pending = self.pendingLogin, pending.futureResult === promise.futureResult else { return }
            self.pendingLogin = nil
            pending.fail(Failure.timedOut)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        let stats = self.stats
        return promise.futureResult.map { reply in
            if reply.code == 200 {
                stats.counters.loggedIn += 1
                if token != nil { stats.counters.loggedInWithToken += 1 }
            } else {
                stats.counters.loginFailures += 1
                stats.counters.loginCodes[reply.code, default: 0] += 1
            }
            return reply
        }
    }

    /// One page of the group history, newest first, as the raw HistoryResMes frame.
    func history(before: String?, limit: Int, timeout: TimeAmount) -> EventLoopFuture<ByteBuffer> {
        guard let context = self.context else { return self.stats.loop.makeFailedFuture(Failure.notConnected) }
        let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
        self.pendingHistory = promise
        context.writeAndFlush(NIOAny(ClientFrames.history(before: before, limit: limit)), promise: nil)
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            guard let pending = self.pendingHistory, pending.futureResult === promise.futureResult else { return }
            self.pendingHistory = nil
            pending.fail(Failure.timedOut)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    /// Forgets the acks still awaited: a restarted server may never answer them, and a
    /// full window would stop this sender for good.
    func resetSendWindow() { self.window = SendWindow() }

    /// Sends one frame if the send window lets it go now.
    func send(_ frame: ByteBuffer) {
        guard let context = self.context, context.channel.isActive else { return }
        self.sentCount += 1
        guard self.window.admit(on: context.channel, counting: &self.stats.counters) else { return }
        context.writeAndFlush(NIOAny(frame), promise: nil)
    }

    var allocator: ByteBufferAllocator { self.context?.channel.allocator ?? ByteBufferAllocator() }
}

/// What a chat session sends when the pacer asks.
enum ChatTraffic: Sendable {
    case none
    /// A group message of `size` bytes of content.
    case group(size: Int)
    /// Private messages of `size` bytes to other bench users, spread over all of them.
    case mesh(size: Int, firstUser: Int, users: Int, selfIndex: Int)
    /// Group messages numbered `sequence × senders + sender`, so every id is unique in the run.
    case numbered(size: Int, sender: Int, senders: Int)
}

extension ChatSessionHandler: PacedSender {
    func sendNext(sequence: Int) {
        let now = Clock.nanoseconds()
        switch self.traffic {
        case .none:
            return
        case .group(let size):
            self.send(ClientFrames.group(content: Payload.content(sentAt: now, size: size), allocator: self.allocator))
        case .mesh(let size, let firstUser, let users, let selfIndex):
            // Stride through the others so every pair gets traffic, never ourselves.
            let offset = 1 + (sequence &* 7919) % max(1, users - 1)
            let to = firstUser + (selfIndex + offset) % users
            self.send(
                ClientFrames.privateMessage(
                    to: to,
                    content: Payload.content(sentAt: now, size: size),
                    allocator: self.allocator
                )
            )
        case .numbered(let size, let sender, let senders):
            let id = sequence * senders + sender
            self.send(
                ClientFrames.group(content: Payload.content(sentAt: now, id: id, size: size), allocator: self.allocator)
            )
        }
    }
}
